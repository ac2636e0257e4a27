package org.ptlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        Explorer.Result whole = Explorer.explore(sc, opt);
        opt.splitDepth = 4; // the campaign's split: one search over the same subtrees in the same order
        Explorer.Result one = Explorer.explore(sc, opt);
        assertThat(whole.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(one.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(o.merged().verdict()).isEqualTo("VIOLATION");
        assertThat(o.status()).isEqualTo(1);
        assertThat(o.merged().first().get("schedule")).isEqualTo(ScheduleFile.encode(one.counterexample().schedule()));
        assertThat(o.merged().first().get("detail")).isEqualTo(one.counterexample().violation());
        assertThat(o.merged().first().get("violation_kind")).isEqualTo(whole.counterexample().kind());
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
}
