package org.ptlab.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExplorerTest {

    private static Explorer.Options dfs(int bound) {
        Explorer.Options o = new Explorer.Options();
        o.bound = bound;
        o.budgetMillis = 60_000;
        return o;
    }

    @Test
    void seed000SplitRaceIsSafeWithTheLock() {
        Explorer.Result r = Explorer.explore(Shipped.seed000SplitRace(), dfs(2));
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        assertThat(r.executions()).isGreaterThan(1);
    }

    @Test
    void seed000SplitRaceLosesACounterUpdateWithoutTheLock() {
        ExploreScenario sc = Shipped.seed000SplitRace().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        Explorer.Result r = Explorer.explore(sc, dfs(2));
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(r.counterexample().kind()).isEqualTo("counters");
        assertThat(r.counterexample().preemptions()).isLessThanOrEqualTo(2);
        assertThat(r.counterexample().trace()).anyMatch(l -> l.contains("LOST UPDATE"));
        assertThat(r.counterexample().trace().get(r.counterexample().trace().size() - 1)).contains("==> VIOLATION counters");
    }

    @Test
    void partialOrderReductionProvesTheLockedSplitsSafeForAnyInterleaving() {
        Explorer.Result r = Explorer.explore(Shipped.seed000SplitRaceContPmd(), dfs(-1));
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        assertThat(r.searchNote()).contains("partial-order reduction");
        ExploreScenario nolock = Shipped.seed000SplitRaceContPmd().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        Explorer.Result v = Explorer.explore(nolock, dfs(-1));
        assertThat(v.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
    }

    @Test
    void randomAndPctAreReproducibleFromTheSeed() {
        ExploreScenario sc = Shipped.seed000SplitRace().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        for (Explorer.Strategy st : new Explorer.Strategy[] {Explorer.Strategy.RANDOM, Explorer.Strategy.PCT}) {
            Explorer.Options o = new Explorer.Options();
            o.strategy = st;
            o.seed = 42;
            o.minimise = false;
            Explorer.Result a = Explorer.explore(sc, o);
            Explorer.Result b = Explorer.explore(sc, o);
            assertThat(a.verdict()).as(st.name()).isEqualTo(Explorer.Verdict.VIOLATION);
            assertThat(a.executions()).isEqualTo(b.executions());
            assertThat(a.counterexample().schedule()).containsExactly(b.counterexample().schedule());
        }
    }
}
