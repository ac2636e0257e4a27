package org.ptlab.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class LazyAndMutationTest {

    private static Explorer.Options dfs(int bound) {
        Explorer.Options o = new Explorer.Options();
        o.bound = bound;
        return o;
    }

    /** Seed 002 under each lazy variant: verdict, barrier pairs, flushes (computed, compared to the seed's reasoning). */
    @ParameterizedTest
    @CsvSource({
        "permissive,   true,  3, 1",   // inner leave flushes A+B; C1, C2 unbatched
        "no-nesting,   false, 0, 0",   // B deferred: clear_page BANG
        "save-restore, true,  2, 2",   // inner leave flushes A+B; C1, C2 batched to the outer leave
        "generic,      true,  2, 2",   // inner disable flushes; outer disable flushes C1, C2
    })
    void seed002UnderEachLazyVariant(String variant, boolean safe, long barrierPairs, long flushes) {
        ExploreScenario sc = Shipped.seed002LazyNesting().with(Set.of(), List.of("lazy=" + variant));
        Explorer.Result r = Explorer.explore(sc, dfs(2));
        if (safe) {
            assertThat(r.verdict()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
            Explorer.Replay rp = Explorer.replay(sc, new int[0]);
            assertThat(rp.violation()).isNull();
            assertThat(rp.barrierPairs()).isEqualTo(barrierPairs);
            assertThat(rp.lazyFlushes()).isEqualTo(flushes);
        } else {
            assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
            assertThat(r.counterexample().kind()).isEqualTo("hazard");
            assertThat(r.counterexample().violation()).startsWith("BANG: CPU0 clear_page");
        }
    }

    /** The scenario that exercises a mutation. */
    private static ExploreScenario scenarioFor(Mutation m) {
        return switch (m) {
            case NO_LAZY_FLUSH -> Shipped.seed002LazyNesting();
            case CONT_ONE_ENTRY -> Shipped.seed000SplitRaceContPmd();
            case NO_TLB_FLUSH, BBML2_BOOT_CPU_ONLY -> Shipped.tlbSetMemoryRo();
            case COLLAPSE_FREE_BEFORE_FLUSH -> Shipped.seed001CollapseWithReader();
            default -> Shipped.seed000SplitRace();
        };
    }

    @ParameterizedTest
    @EnumSource(Mutation.class)
    void everyMutationIsCaught(Mutation m) {
        ExploreScenario sc = scenarioFor(m);
        ExploreScenario base = sc;
        assertThat(Explorer.explore(base, dfs(m == Mutation.CONT_ONE_ENTRY ? 0 : 1)).verdict())
                .as("unmutated scenario is safe").isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        Explorer.Result r = Explorer.explore(sc.with(Set.of(m), List.of()), dfs(2));
        assertThat(r.verdict()).as(m.label()).isEqualTo(Explorer.Verdict.VIOLATION);
        String expectedKind = switch (m) {
            case NO_LAZY_FLUSH -> "hazard";
            case CONT_ONE_ENTRY -> "cont-group";
            case NO_TLB_FLUSH, COLLAPSE_FREE_BEFORE_FLUSH, BBML2_BOOT_CPU_ONLY -> "hw-hazard";
            default -> "counters";
        };
        assertThat(r.counterexample().kind()).isEqualTo(expectedKind);
    }

    /**
     * Every mutation aliases a known-bad kernel variant: it boots the kernel with that variant and
     * runs the kernel's code, the same search as selecting the variant (and, for
     * bbml2-boot-cpu-only, the machine whose secondaries lack BBML2_NOABORT) by hand, execution
     * for execution.
     */
    @ParameterizedTest
    @EnumSource(Mutation.class)
    void everyMutationIsItsKernelVariant(Mutation m) {
        assertThat(m.variant).isNotNull();
        ExploreScenario sc = scenarioFor(m);
        ExploreScenario mutated = sc.with(Set.of(m), List.of());
        World w = mutated.newWorld();
        String[] fv = m.variant.split("=");
        assertThat(w.k.cfg.variants.is(fv[0], fv[1])).as(m.variant).isTrue();

        org.ptlab.kernel.MachineSpec machine = m == Mutation.BBML2_BOOT_CPU_ONLY ? sc.machine().with(x -> x.bbml2 = "boot-cpu") : sc.machine();
        ExploreScenario byHand = new ExploreScenario(sc.name(), sc.description(), machine, sc.setup(), sc.cpus(), Set.of(), sc.expect(),
                sc.source()).with(Set.of(), List.of(m.variant));
        Explorer.Result a = Explorer.explore(mutated, dfs(2));
        Explorer.Result b = Explorer.explore(byHand, dfs(2));
        assertThat(a.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(b.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(a.executions()).isEqualTo(b.executions());
        assertThat(a.states()).isEqualTo(b.states());
        assertThat(a.counterexample().violation()).isEqualTo(b.counterexample().violation());
    }

    /**
     * machine bbml2: boot-cpu: CPU0 has BBML2_NOABORT and CPU1 lacks it, for the kernel's per-CPU
     * check and for the hardware model's cores alike. Upstream (bbml2=system) repaints the linear
     * map to PTEs at boot; bbml2=boot-cpu trusts CPU0 and keeps the blocks.
     */
    @Test
    void bootCpuOnlyMachineGivesEachCoreItsOwnCapability() {
        ExploreScenario sc = Shipped.tlbSetMemoryRo();
        org.ptlab.kernel.MachineSpec m = sc.machine().with(x -> x.bbml2 = "boot-cpu");
        World upstream = new ExploreScenario(sc.name(), "", m, List.of(), sc.cpus(), Set.of(), sc.expect(), sc.source()).newWorld();
        assertThat(upstream.k.systemBbml2).isFalse();
        assertThat(upstream.k.repaintedAtBoot).isTrue();
        assertThat(upstream.hw.cpu(0).cfg.bbml2NoAbort).isTrue();
        assertThat(upstream.hw.cpu(1).cfg.bbml2NoAbort).isFalse();
        World bootCpu = new ExploreScenario(sc.name(), "", m.withVariants(List.of("bbml2=boot-cpu")), List.of(), sc.cpus(), Set.of(),
                sc.expect(), sc.source()).newWorld();
        assertThat(bootCpu.k.systemBbml2).isTrue();
        assertThat(bootCpu.k.repaintedAtBoot).isFalse();
        assertThat(bootCpu.hw.cpu(1).cfg.bbml2NoAbort).isFalse();
        // a machine whose CPUs all have it: both cores have it, as before
        World all = sc.newWorld();
        assertThat(all.hw.cpu(0).cfg.bbml2NoAbort).isTrue();
        assertThat(all.hw.cpu(1).cfg.bbml2NoAbort).isTrue();
    }
}
