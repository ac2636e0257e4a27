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
    /** Machine settings laid over the file's machine: ({@link #withMachine}), for error messages. */
    public final Map<String, String> overrides = new java.util.LinkedHashMap<>();
    /** Deprecation lines (older spellings read for one release), for standard error. */
    public final List<String> warnings = new ArrayList<>();
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

    /**
     * The same scenario on another machine: the file's {@code machine:} with the command's machine
     * options laid over it ({@link MachineSpec#overlay}); this one is left as it is.
     */
    public Scenario withMachine(MachineSpec over) {
        Scenario sc = new Scenario(file, machine.overlay(over), machineNode, variants, checkEvery, steps);
        sc.usedKinds.addAll(usedKinds);
        sc.warnings.addAll(warnings);
        sc.overrides.putAll(overrides);
        sc.overrides.putAll(over.settings());
        return sc;
    }

    /**
     * An error about the machine, at the file's machine: section; when machine options were laid over
     * it, the message says which (the error may come from them, not from the file).
     */
    public ScenarioError machineError(String message) {
        return machineNode.error(message + (overrides.isEmpty() ? "" : " (machine: with the options " + overrides + ")"));
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
        List<String> old = new ArrayList<>();
        MachineSpec m = MachineReader.read(mn, new MachineSpec(), old::add);
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
        if (!old.isEmpty()) {
            sc.warnings.add(file + ": deprecated spelling (" + String.join(", ", old) + "): read for one release; see README.md, Scenarios");
        }
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

}
