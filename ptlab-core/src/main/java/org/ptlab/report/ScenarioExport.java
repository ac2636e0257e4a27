package org.ptlab.report;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.kernel.MachineSpec;

/**
 * Writes a scenario file (the format {@code ptlab run} reads) from a machine, variants and a list of
 * step lines: used to turn a replayed kernel trace into an editable, re-runnable scenario.
 */
public final class ScenarioExport {
    private ScenarioExport() {}

    public static String yaml(String description, MachineSpec m, List<String> variants, List<String> steps) {
        StringBuilder b = new StringBuilder();
        b.append("description: >\n");
        for (String l : description.split("\n")) {
            b.append("  ").append(l).append('\n');
        }
        b.append("machine:\n");
        List<String[]> kv = new ArrayList<>();
        add(kv, "mem", m.mem);
        add(kv, "memmap", m.memmap);
        add(kv, "iomem", m.iomem);
        add(kv, "granule", m.granule);
        add(kv, "va-bits", m.vaBits);
        add(kv, "kernel", m.kernel);
        add(kv, "rodata", m.rodata);
        add(kv, "cmdline", m.cmdline);
        add(kv, "cpu", m.cpu);
        add(kv, "bbml2", m.bbml2);
        add(kv, "debug-pagealloc", m.debugPagealloc);
        add(kv, "kfence", m.kfence);
        add(kv, "realm", m.realm);
        add(kv, "kpti", m.kpti);
        add(kv, "tlb-range", m.tlbRange);
        add(kv, "memory-block-size", m.memoryBlockSize);
        if (kv.isEmpty()) {
            kv.add(new String[] {"mem", quote("4G")});
        }
        for (String[] x : kv) {
            b.append("  ").append(x[0]).append(": ").append(x[1]).append('\n');
        }
        if (!variants.isEmpty()) {
            b.append("variants: [").append(String.join(", ", variants)).append("]\n");
        }
        b.append("check-every: 1\nsteps:\n");
        boolean any = false;
        for (String s : steps) {
            b.append(s).append('\n');
            any |= s.trim().startsWith("-");
        }
        if (!any) {
            b.append("  - check\n");
        }
        return b.toString();
    }

    private static void add(List<String[]> kv, String key, Object v) {
        if (v != null) {
            kv.add(new String[] {key, v instanceof String ? quote((String) v) : v.toString()});
        }
    }

    /** A double-quoted YAML scalar. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
