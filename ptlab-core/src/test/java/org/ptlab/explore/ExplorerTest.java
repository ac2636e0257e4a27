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
        assertThat(r.counterexample().trace()).anyMatch(l -> l.contains("LOST UPDATE"));
        assertThat(r.counterexample().trace().get(r.counterexample().trace().size() - 1)).contains("==> VIOLATION counters");
    }

    @Test
    void partialOrderReductionProvesTheLockedSplitsSafeForAnyInterleaving() {
        Explorer.Result r = Explorer.explore(Scenarios.seed000SplitRaceContPmd(), dfs(-1));
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        assertThat(r.searchNote()).contains("partial-order reduction");
        ExploreScenario nolock = Scenarios.seed000SplitRaceContPmd().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        Explorer.Result v = Explorer.explore(nolock, dfs(-1));
        assertThat(v.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
    }

    @Test
    void randomAndPctAreReproducibleFromTheSeed() {
        ExploreScenario sc = Scenarios.seed000SplitRace().with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
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

    /**
     * Campaign hand-off: the subtrees below every schedule prefix of one depth, explored apart
     * and merged in prefix order, give the single run's verdict; the same counterexample as a
     * single run split at that depth; and, without reduction (whose order is the prefixes'),
     * the same counterexample as the unsplit single run.
     */
    @Test
    void subtreesMergeIntoTheSingleRunsResult() throws java.io.IOException {
        ExploreScenario safe = Scenarios.seed000SplitRace();
        ExploreScenario nolock = safe.with(Set.of(Mutation.NO_SPLIT_LOCK), List.of());
        ExploreScenario hotadd = ScenarioFile.load(ScenarioFileTest.DIR.resolve("seed000-hotadd-vs-split.yaml"));
        for (ExploreScenario sc : List.of(safe, nolock, hotadd)) {
            for (Explorer.Search search : Explorer.Search.values()) {
                for (int depth : new int[] {2, 5}) {
                    Explorer.Options o = dfs(2);
                    o.search = search;
                    String what = sc.name() + " " + sc.mutations() + " " + search + " depth " + depth;
                    Explorer.Result single = Explorer.explore(sc, o);
                    List<int[]> prefixes = Explorer.prefixes(sc, o, depth);
                    assertThat(prefixes).as(what).isNotEmpty();
                    List<Explorer.Result> parts = new java.util.ArrayList<>();
                    for (int[] p : prefixes) {
                        parts.add(Explorer.exploreSubtree(sc, o, p));
                    }
                    Explorer.Result merged = Explorer.merge(parts);
                    Explorer.Options split = o.copy();
                    split.splitDepth = depth;
                    Explorer.Result splitSingle = Explorer.explore(sc, split);
                    assertThat(merged.verdict()).as(what).isEqualTo(single.verdict()).isEqualTo(splitSingle.verdict());
                    if (merged.verdict() == Explorer.Verdict.VIOLATION) {
                        assertThat(merged.counterexample().schedule()).as(what).containsExactly(splitSingle.counterexample().schedule());
                        assertThat(merged.counterexample().violation()).as(what).isEqualTo(splitSingle.counterexample().violation());
                        if (search == Explorer.Search.PLAIN) {
                            assertThat(merged.counterexample().schedule()).as(what).containsExactly(single.counterexample().schedule());
                        }
                    } else {
                        assertThat(merged.executions()).as(what).isEqualTo(splitSingle.executions());
                        if (search == Explorer.Search.PLAIN) {
                            assertThat(merged.executions()).as(what).isEqualTo(single.executions());
                        }
                    }
                }
            }
        }
    }

    @Test
    void anExhaustedBudgetIsInconclusiveWithItsCoverage() {
        Explorer.Options o = dfs(3);
        o.search = Explorer.Search.PLAIN;
        o.maxExecutions = 50;
        Explorer.Result r = Explorer.explore(Scenarios.seed000SplitRace(), o);
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.INCONCLUSIVE);
        assertThat(r.coverage()).isGreaterThan(0).isLessThan(1);
        assertThat(r.searchNote()).contains("% covered");
        // more executions cover more of the same tree
        o.maxExecutions = 200;
        Explorer.Result r2 = Explorer.explore(Scenarios.seed000SplitRace(), o);
        assertThat(r2.coverage()).isGreaterThan(r.coverage());
    }
}
