package org.ptlab.explore;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MachineSpec;

/**
 * A concurrency scenario: a small machine (a {@link MachineSpec}, by default
 * {@link MachineSpec#explorerDefaults()}, with one CPU per program), setup steps run before the CPUs start (not scheduled),
 * and for each modelled CPU a sequence of kernel operations over a {@link World}. Built in Java
 * ({@link #builder}) or parsed from a scenario file ({@link ScenarioFile}).
 */
public record ExploreScenario(String name, String description, MachineSpec machine, List<Op> setup,
        List<List<Op>> cpus, Set<Mutation> mutations, Expect expect, String source) {

    /** What the scenario is expected to give: a violation, or safety within the bound. */
    public enum Expect { SAFE, VIOLATION, UNSPECIFIED }

    /** One step of a CPU's program: its text (for listings) and what it does. */
    public record Op(String text, Consumer<World> action) {
        @Override
        public String toString() {
            return text;
        }
    }

    public ExploreScenario {
        setup = List.copyOf(setup);
        cpus = cpus.stream().map(List::copyOf).toList();
        mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
        if (machine.cpus != null && cpus.size() != machine.cpus) {
            throw new IllegalArgumentException(name + ": " + cpus.size() + " CPU programs for a machine of " + machine.cpus + " CPUs");
        }
        int n = cpus.size();
        machine = machine.with(m -> m.cpus = n); // a copy: the scenario's machine is a value
    }

    /** The scenario's machine (a copy: the scenario's own stays as it is). */
    @Override
    public MachineSpec machine() {
        return machine.copy();
    }

    /** The same scenario on another machine: the command's machine options laid over the scenario's ({@link MachineSpec#overlay}). */
    public ExploreScenario withMachine(MachineSpec over) {
        return new ExploreScenario(name, description, machine.overlay(over), setup, cpus, mutations, expect, source);
    }

    /** The same scenario with other mutations / variants. */
    public ExploreScenario with(Set<Mutation> muts, List<String> variants) {
        Set<Mutation> m = EnumSet.noneOf(Mutation.class);
        m.addAll(mutations);
        m.addAll(muts);
        return new ExploreScenario(name, description, machine.withVariants(variants), setup, cpus, m, expect, source);
    }

    public ExploreScenario withExpect(Expect e) {
        return new ExploreScenario(name, description, machine, setup, cpus, mutations, e, source);
    }

    /**
     * The machine each execution boots: the scenario's, with the kernel variants of the mutations
     * that alias one ({@link Mutation#applyTo}) selected last.
     */
    public MachineSpec bootMachine() {
        MachineSpec m = machine;
        for (Mutation x : mutations) {
            m = x.applyTo(m);
        }
        return m;
    }

    /** Build a fresh world for one execution and run the setup steps (unscheduled). */
    public World newWorld() {
        World w;
        try {
            w = new World(bootMachine(), mutations);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": machine " + machine.settings() + " does not boot: " + e.getMessage(), e);
        }
        w.pg.cpu = 0;
        for (Op op : setup) {
            try {
                op.action().accept(w);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(source + ": setup step '" + op.text() + "' failed: " + e.getMessage(), e);
            }
        }
        return w;
    }

    /**
     * The machine as the explorer prints it: "4K pages, 4M RAM, 2 CPUs, BBML2_NOABORT yes, hardware
     * model neoverse-n1, linux 7.2, pageattr=no-flush" (the variants in the order selected).
     */
    public static String describe(MachineSpec m) {
        MachineSpec.Built b = m.build();
        KernelConfig c = b.cfg();
        long ram = 0;
        for (var r : b.mem().memory()) {
            ram += r.size();
        }
        String bbml2 = m.bbml2BootCpuOnly() ? "boot CPU only" : c.bbml2Override == null ? "per CPU" : c.bbml2Override ? "yes" : "no";
        return String.format("%s pages, %s RAM, %d CPUs, BBML2_NOABORT %s%s, linux %s%s", c.granule.label, Sizes.label(ram), c.cpus.size(),
                bbml2, (c.debugPagealloc ? ", debug_pagealloc" : "") + (m.hw != null ? ", hardware model " + m.hw : ""), c.version.label,
                m.variants.isEmpty() ? "" : ", " + String.join(",", m.variants));
    }

    /** The machine each execution boots, as printed ({@link #describe}). */
    public String machineLabel() {
        return describe(bootMachine());
    }

    public static Builder builder(String name, MachineSpec m) {
        return new Builder(name, m);
    }

    /** Java builder: {@code builder("x", MachineSpec.explorerDefaults()).cpu(w -> ...).cpu(...).build()}. */
    public static final class Builder {
        private final String name;
        private final MachineSpec machine;
        private String description = "";
        private final List<Op> setup = new ArrayList<>();
        private final List<List<Op>> cpus = new ArrayList<>();
        private final Set<Mutation> mutations = EnumSet.noneOf(Mutation.class);
        private Expect expect = Expect.UNSPECIFIED;

        Builder(String name, MachineSpec m) {
            this.name = name;
            this.machine = m;
        }

        public Builder describe(String d) {
            this.description = d;
            return this;
        }

        public Builder setup(String text, Consumer<World> a) {
            setup.add(new Op(text, a));
            return this;
        }

        /** Start the next CPU's program. */
        public Builder cpu() {
            cpus.add(new ArrayList<>());
            return this;
        }

        /** Add an operation to the last CPU's program. */
        public Builder op(String text, Consumer<World> a) {
            if (cpus.isEmpty()) {
                cpu();
            }
            cpus.get(cpus.size() - 1).add(new Op(text, a));
            return this;
        }

        public Builder mutate(Mutation m) {
            mutations.add(m);
            return this;
        }

        public Builder expect(Expect e) {
            this.expect = e;
            return this;
        }

        public ExploreScenario build() {
            return new ExploreScenario(name, description, machine, setup, cpus, mutations, expect, "builtin:" + name);
        }
    }
}
