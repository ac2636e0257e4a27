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
        Explorer.Result r = Explorer.explore(Scenarios.seed000SplitRace(), dfs(2));
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        assertThat(r.executions()).isGreaterThan(1);
    }

    @Test
    void seed000SplitRaceLosesACounterUpdateWithoutTheLock() {
        ExploreScenario sc = Scenarios.seed000SplitRace().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        Explorer.Result r = Explorer.explore(sc, dfs(2));
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(r.counterexample().kind()).isEqualTo("counters");
        assertThat(r.counterexample().preemptions()).isLessThanOrEqualTo(2);
        r.counterexample().trace().forEach(System.out::println);
        System.out.println(r.counterexample().violation());
    }
}
