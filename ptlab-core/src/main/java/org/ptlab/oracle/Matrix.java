package org.ptlab.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The golden matrix file: a YAML list of captures, each {@code name, kernel, mem, cpu, smp, cmdline,
 * workload, trace} (defaults: cpu cortex-a57, smp 2, mem 2G, no cmdline, workload none, trace true; trace
 * false is a plain capture, {@code --no-trace}).
 */
public final class Matrix {
    private Matrix() {}

    public static List<CaptureSpec> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ":1: cannot read: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static List<CaptureSpec> parse(String text, String file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
            throw new IllegalArgumentException(file + ":1: not YAML: " + msg);
        }
        JsonNode list = root == null ? null : root.get("captures");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(file + ":1: expected a 'captures:' list");
        }
        List<CaptureSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode n : list) {
            i++;
            String where = file + ": capture " + i + ": ";
            if (!n.isObject()) {
                throw new IllegalArgumentException(where + "expected a mapping with name, kernel, mem, cpu, smp, cmdline, workload");
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!List.of("name", "kernel", "mem", "cpu", "smp", "cmdline", "workload", "trace", "note").contains(k)) {
                    throw new IllegalArgumentException(where + "unknown key '" + k + "'");
                }
            }
            try {
                String name = text(n, "name", null);
                if (name == null) {
                    throw new IllegalArgumentException("a name is required");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("name '" + name + "' used twice");
                }
                JsonNode smp = n.get("smp");
                if (smp != null && !smp.canConvertToInt()) {
                    throw new IllegalArgumentException("smp: expected a number");
                }
                JsonNode trace = n.get("trace");
                if (trace != null && !trace.isBoolean()) {
                    throw new IllegalArgumentException("trace: expected true or false");
                }
                out.add(new CaptureSpec(text(n, "kernel", null), text(n, "mem", "2G"), text(n, "cpu", "cortex-a57"),
                        smp == null ? 2 : smp.asInt(), text(n, "cmdline", ""), text(n, "workload", "none"), name,
                        trace == null || trace.asBoolean()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
        }
        return out;
    }

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(key + ": expected a value");
        }
        return v.asText();
    }
}
