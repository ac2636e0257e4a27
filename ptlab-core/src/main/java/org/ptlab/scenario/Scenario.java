package org.ptlab.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.yaml.YNode;

/**
 * A parsed scenario file:
 *
 * <pre>
 * machine:            # the boot options, as on the command line
 *   mem: 4G           # or memmap: / iomem:
 *   granule: 4K
 *   va-bits: 48
 *   kernel: 7.2
 *   rodata: full
 *   cpu: neoverse-v3
 *   bbml2: auto
 *   cmdline: "..."
 *   memory-block-size: 128M
 * variants: [account=exact, split=upstream]
 * check-every: 1      # optional
 * steps:
 *   - module_load: {name: m1, text: 64K, rodata: 16K, data: 16K}
 *   - check
 * </pre>
 */
public final class Scenario {
    public final String file;
    public final MachineSpec machine;
    /** Where machine: was written (errors from building the machine point here). */
    public final YNode machineNode;
    public final List<String> variants;
    public final Integer checkEvery;
    public final List<LocatedStep> steps;
    /** The step kinds the file uses. */
    public final java.util.Set<String> usedKinds = new java.util.TreeSet<>();

    private Scenario(String file, MachineSpec machine, YNode machineNode, List<String> variants, Integer checkEvery,
            List<LocatedStep> steps) {
        this.file = file;
        this.machine = machine;
        this.machineNode = machineNode;
        this.variants = variants;
        this.checkEvery = checkEvery;
        this.steps = steps;
    }

    public static Scenario load(Path p) {
        return parse(org.ptlab.io.InputFile.readText(p, org.ptlab.io.InputFile.Kind.SCENARIO), p.toString());
    }

    public static Scenario parse(String text, String file) {
        YNode root = YNode.parse(text, file);
        if (root.kind == YNode.Kind.NULL) {
            throw new ScenarioError(file, 1, 1, "empty scenario: expected machine:, variants: and steps:");
        }
        root.allowKeys("a scenario", "machine", "variants", "check-every", "steps", "description");
        YNode mn = root.get("machine") == null ? root.nullAt() : root.get("machine");
        MachineSpec m = machine(mn);
        List<String> variants = new ArrayList<>();
        YNode v = root.get("variants");
        if (v != null) {
            List<YNode> list = v.isScalar() ? List.of(v) : v.seq("variants");
            for (YNode x : list) {
                for (String one : x.str("a variant").split(",")) {
                    try {
                        org.ptlab.kernel.Variants.none().with(one.trim());
                    } catch (IllegalArgumentException e) {
                        throw x.error(e.getMessage());
                    }
                    variants.add(one.trim());
                }
            }
        }
        Integer every = null;
        if (root.get("check-every") != null) {
            every = (int) root.get("check-every").integer("check-every", 0, Integer.MAX_VALUE);
        }
        YNode st = root.get("steps");
        if (st == null) {
            throw root.error("expected a steps: list");
        }
        StepRegistry reg = new StepRegistry();
        List<LocatedStep> steps = reg.parseSteps(st);
        Scenario sc = new Scenario(file, m, mn, variants, every, steps);
        sc.usedKinds.addAll(reg.used);
        return sc;
    }

    /** The most leaf steps a scenario may run in all (repeats multiplied out). */
    public static final long MAX_STEPS = 1_000_000_000L;

    /** Leaf steps of a list, repeats multiplied out (saturating). */
    public static long count(List<LocatedStep> steps) {
        long n = 0;
        for (LocatedStep ls : steps) {
            long c = ls.step().count();
            n = Long.MAX_VALUE - n < c ? Long.MAX_VALUE : n + c;
        }
        return n;
    }

    /** The leaf steps this scenario runs (repeats multiplied out): the progress total. */
    public long totalSteps() {
        return count(steps);
    }

    /** Check every step's numbers against the machine before any work; errors name the step's file:line:column. */
    public void validate(MachineSpec.Built machine) {
        long total = totalSteps();
        if (total > MAX_STEPS) {
            throw new ScenarioError(file, 1, 1, String.format("the scenario runs %s steps in all (repeats multiplied out): expected at most %,d",
                    total == Long.MAX_VALUE ? "more than 2^63" : String.format("%,d", total), MAX_STEPS));
        }
        for (LocatedStep ls : steps) {
            validate(ls, machine);
        }
    }

    static void validate(LocatedStep ls, MachineSpec.Built machine) {
        try {
            ls.step().validate(machine);
        } catch (ScenarioError e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ScenarioError(ls.file(), ls.line(), ls.column(), e.getMessage());
        }
    }

    private static MachineSpec machine(YNode n) {
        n.allowKeys("machine", "mem", "memmap", "iomem", "granule", "va-bits", "kernel", "rodata", "cmdline", "cpu", "bbml2",
                "debug-pagealloc", "kfence", "realm", "kpti", "tlb-range", "memory-block-size", "memory");
        MachineSpec s = new MachineSpec();
        for (Map.Entry<String, YNode> e : n.map("machine").entrySet()) {
            YNode x = e.getValue();
            String k = e.getKey();
            switch (k) {
                case "mem", "memory": // memory: as in explorer scenarios
                    if (s.mem != null) {
                        throw x.error("give mem: or memory:, not both");
                    }
                    s.mem = x.str(k);
                    break;
                case "memmap": s.memmap = x.str(k); break;
                case "iomem": s.iomem = x.str(k); break;
                case "granule": s.granule = x.str(k); break;
                case "va-bits": s.vaBits = (int) x.integer(k, 0, 64); break;
                case "kernel": s.kernel = x.str(k); break;
                case "rodata": s.rodata = x.str(k); break;
                case "cmdline": s.cmdline = x.str(k); break;
                case "cpu": s.cpu = x.str(k); break;
                case "bbml2": s.bbml2 = x.str(k); break;
                case "debug-pagealloc": s.debugPagealloc = x.bool(k); break;
                case "kfence": s.kfence = x.integer(k, 0, Long.MAX_VALUE); break;
                case "realm": s.realm = x.bool(k); break;
                case "kpti": s.kpti = x.bool(k); break;
                case "tlb-range": s.tlbRange = x.bool(k); break;
                default: s.memoryBlockSize = x.str(k); break;
            }
        }
        return s;
    }
}
