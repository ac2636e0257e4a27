package org.ptlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.ScenarioFile;
import org.ptlab.explore.ScheduleFile;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;

/** Campaigns give the verdict of one `ptlab explore` with the same bound (issue 15). */
class CampaignTest {
    static final Path SWEEPS = SweepSpecTest.SWEEPS;
    static final java.io.PrintStream QUIET = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());

    static SweepRunner.Outcome run(String file, Path out) throws Exception {
        try (Engine e = new LocalEngine(2)) {
            return SweepRunner.run(SweepSpec.load(SWEEPS.resolve(file)), e, out, false, n -> ProgressReporter.silent(), QUIET);
        }
    }

    @Test
    void dfsBySubtreesFindsTheSeed001RaceWithTheCounterexampleOfOneSearch(@TempDir Path out) throws Exception {
        SweepRunner.Outcome o = run("campaign-seed001.yaml", out);
        ExploreScenario sc = ScenarioFile.load(Path.of("..", "scenarios", "concurrency", "seed001-collapse-vs-pageattr.yaml"));
        Explorer.Options opt = new Explorer.Options();
        opt.bound = 2;
        opt.budgetMillis = Long.MAX_VALUE;
        opt.retryBudgetMillis = Long.MAX_VALUE;
        Explorer.Result one = Explorer.explore(sc, opt);
        assertThat(one.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(o.merged().verdict()).isEqualTo("VIOLATION");
        assertThat(o.status()).isEqualTo(1);
        assertThat(o.merged().first().get("schedule")).isEqualTo(ScheduleFile.encode(one.counterexample().schedule()));
        assertThat(o.merged().first().get("detail")).isEqualTo(one.counterexample().violation());
        // the units before the first violating one hold exactly the executions the single search made before it
        long before = 0;
        for (Row r : o.rows()) {
            if (r == o.merged().first()) {
                break;
            }
            before += ((Number) r.get("executions")).longValue();
        }
        assertThat(before + ((Number) o.merged().first().get("executions")).longValue()).isEqualTo(one.executions());
        ScheduleFile f = ScheduleFile.read(out.resolve("counterexample.txt"));
        Explorer.Replay rp = Explorer.replay(sc.with(f.mutations(), f.variants()), f.schedule());
        assertThat(rp.violation()).isEqualTo(one.counterexample().violation());
        assertThat(Files.readString(out.resolve("campaign.txt"))).contains("result: VIOLATION kernel-bug");
    }

    @Test
    void dfsBySubtreesProvesTheBackgroundCollapseSafeWithinBound2(@TempDir Path out) throws Exception {
        SweepRunner.Outcome o = run("campaign-background.yaml", out);
        assertThat(o.merged().verdict()).isEqualTo("SAFE");
        assertThat(o.status()).isZero();
        assertThat(o.rows()).hasSizeGreaterThan(4).allSatisfy(r -> assertThat(r.verdict()).isEqualTo("safe"));
    }

    @Test
    void prefixesPartitionTheBoundedTree() {
        ExploreScenario sc = org.ptlab.explore.Scenarios.byName("seed000-split-race");
        Explorer.Options whole = new Explorer.Options();
        whole.bound = 1;
        Explorer.Result all = Explorer.explore(sc, whole);
        for (int depth : new int[] {0, 1, 3, 6}) {
            List<int[]> ps = Explorer.prefixes(sc, 1, depth, 100_000);
            long sum = 0;
            for (int[] p : ps) {
                Explorer.Options o = new Explorer.Options();
                o.bound = 1;
                o.subtree = p;
                Explorer.Result r = Explorer.explore(sc, o);
                assertThat(r.verdict()).isEqualTo(all.verdict());
                sum += r.executions();
            }
            assertThat(sum).as("depth " + depth + ", " + ps.size() + " prefixes").isEqualTo(all.executions());
        }
    }
}
