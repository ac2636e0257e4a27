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
        // every setting of the one machine description, by its machine: key (hw: is the explorer's, not ptlab run's)
        for (java.util.Map.Entry<String, String> e : m.settings().entrySet()) {
            if (!e.getKey().equals("hw")) {
                kv.add(new String[] {e.getKey(), UNQUOTED.contains(e.getKey()) ? e.getValue() : quote(e.getValue())});
            }
        }
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

    /** Keys whose values are numbers or booleans (written plain). */
    private static final java.util.Set<String> UNQUOTED = java.util.Set.of("va-bits", "cpus", "debug-pagealloc", "kfence", "realm", "kpti",
            "kaslr", "tlb-range");

    /** A double-quoted YAML scalar. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
