package org.ptlab.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ptlab.io.InputFile;
import org.ptlab.yaml.YNode;

/**
 * The golden matrix file: a YAML list of captures, each {@code name, kernel, mem, cpu, smp, cmdline,
 * workload, trace} (defaults: cpu cortex-a57, smp 2, mem 2G, no cmdline, workload none, trace true;
 * trace false is a plain capture, {@code --no-trace}). Read through the one YAML reader ({@link YNode}): every error names file, line and column.
 */
public final class Matrix {
    private Matrix() {}

    private static final String[] KEYS = {"name", "kernel", "mem", "cpu", "smp", "cmdline", "workload", "trace", "note"};

    public static List<CaptureSpec> read(Path file) {
        return parse(InputFile.readText(file, InputFile.Kind.SCENARIO), file.toString());
    }

    public static List<CaptureSpec> parse(String text, String file) {
        YNode root = YNode.parse(text, file);
        YNode list = root.isMap() ? root.get("captures") : null;
        if (list == null || !list.isSeq()) {
            throw (list == null ? root : list).error("expected a 'captures:' list");
        }
        root.allowKeys("the matrix", "captures");
        List<CaptureSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YNode n : list.seq("captures")) {
            String what = "a capture";
            Map<String, YNode> m = n.map(what + " (name, kernel, mem, cpu, smp, cmdline, workload)");
            n.allowKeys(what, KEYS);
            YNode nameNode = m.get("name");
            if (nameNode == null) {
                throw n.error("a capture needs a name");
            }
            String name = nameNode.str("name");
            if (!names.add(name)) {
                throw nameNode.error("name '" + name + "' used twice");
            }
            YNode smp = m.get("smp");
            String kernel = text(m, "kernel", null);
            String mem = text(m, "mem", "2G");
            String cpu = text(m, "cpu", "cortex-a57");
            int cpus = smp == null ? 2 : (int) smp.integer("smp", 1, 64);
            String cmdline = text(m, "cmdline", "");
            String workload = text(m, "workload", "none");
            YNode traceNode = m.get("trace");
            boolean trace = traceNode == null || traceNode.bool("trace");
            try {
                out.add(new CaptureSpec(kernel, mem, cpu, cpus, cmdline, workload, name, trace));
            } catch (org.ptlab.yaml.ScenarioError e) {
                throw e;
            } catch (IllegalArgumentException e) {
                // the settings' own checks (kernel, size, workload): at the entry's position
                throw n.error(e.getMessage());
            }
        }
        return out;
    }

    private static String text(Map<String, YNode> m, String key, String dflt) {
        YNode v = m.get(key);
        if (v == null || v.kind == YNode.Kind.NULL) {
            return dflt;
        }
        return v.str(key);
    }
}
