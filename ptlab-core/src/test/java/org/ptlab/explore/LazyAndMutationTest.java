package org.ptlab.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
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
        ExploreScenario sc = Scenarios.seed002LazyNesting().with(Set.of(), List.of("lazy=" + variant));
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

    @ParameterizedTest
    @EnumSource(Mutation.class)
    void everyMutationIsCaught(Mutation m) {
        ExploreScenario sc = switch (m) {
            case NO_LAZY_FLUSH -> Scenarios.seed002LazyNesting();
            case CONT_ONE_ENTRY -> Scenarios.seed000SplitRaceContPmd();
            case NO_TLB_FLUSH, BBML2_BOOT_CPU_ONLY -> Scenarios.tlbSetMemoryRo();
            case COLLAPSE_FREE_BEFORE_FLUSH -> Scenarios.seed001CollapseWithReader();
            default -> Scenarios.seed000SplitRace();
        };
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
}
