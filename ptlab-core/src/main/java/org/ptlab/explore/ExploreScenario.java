package org.ptlab.explore;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A concurrency scenario: a small machine, setup steps run before the CPUs start (not scheduled),
 * and for each modelled CPU a sequence of kernel operations over a {@link World}. Built in Java
 * ({@link #builder}) or parsed from a scenario file ({@link ScenarioFile}).
 */
public record ExploreScenario(String name, String description, ExploreMachine machine, List<Op> setup,
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
        if (cpus.size() != machine.cpus()) {
            throw new IllegalArgumentException(name + ": " + cpus.size() + " CPU programs for a machine of " + machine.cpus() + " CPUs");
        }
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
    public ExploreMachine bootMachine() {
        ExploreMachine m = machine;
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
            throw new IllegalArgumentException(source + ": machine " + machine + " does not boot: " + e.getMessage(), e);
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

    public static Builder builder(String name, ExploreMachine m) {
        return new Builder(name, m);
    }

    /** Java builder: {@code builder("x", ExploreMachine.of("4M", 2)).cpu(w -> ...).cpu(...).build()}. */
    public static final class Builder {
        private final String name;
        private final ExploreMachine machine;
        private String description = "";
        private final List<Op> setup = new ArrayList<>();
        private final List<List<Op>> cpus = new ArrayList<>();
        private final Set<Mutation> mutations = EnumSet.noneOf(Mutation.class);
        private Expect expect = Expect.UNSPECIFIED;

        Builder(String name, ExploreMachine m) {
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
