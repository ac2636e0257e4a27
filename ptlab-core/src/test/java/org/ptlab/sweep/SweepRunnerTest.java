package org.ptlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;

class SweepRunnerTest {
    static final String SMALL = "base:\n  study: degradation\n  settings: {hours: 1, samples: 2}\naxes:\n  mem: [1G, 512M]\n"
            + "  collapse: [none, background]\n";

    @Test
    void rowsSortedByPointAFailedJobRecordedAndResumeRunsOnlyWhatIsMissing(@TempDir Path out) throws Exception {
        SweepSpec s = SweepSpec.parse(SMALL, "small.yaml", null);
        SweepRunner.Outcome a;
        try (Engine e = new LocalEngine(2)) {
            a = SweepRunner.run(s, e, out, false, n -> ProgressReporter.silent(), CampaignTest.QUIET);
        }
        assertThat(a.rows()).extracting(Row::point).containsExactly(0, 1, 2, 3);
        assertThat(a.rows()).extracting(Row::verdict).containsExactly("ok", "ok", "error", "error");
        assertThat(a.errors()).isEqualTo(2);
        assertThat(a.status()).isEqualTo(3);
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertThat(csv.get(0)).startsWith("point,mem,collapse,verdict,operations,").endsWith(",detail,error");
        assertThat(csv).hasSize(5);
        assertThat(Files.readString(out.resolve("summary.html"))).contains("<svg").contains("tlb_entries");
        try (var st = Files.list(out)) {
            assertThat(st.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("results.jsonl", "results.csv", "summary.html");
        }
        String jsonl = Files.readString(out.resolve("results.jsonl"));

        // resume: the ok rows are kept, the failed ones run again (and fail the same way)
        SweepRunner.Outcome b;
        try (Engine e = new LocalEngine(1)) {
            b = SweepRunner.run(s, e, out, true, n -> ProgressReporter.silent(), CampaignTest.QUIET);
        }
        assertThat(b.skipped()).isEqualTo(2);
        assertThat(b.ran()).isEqualTo(2);
        assertThat(Files.readString(out.resolve("results.jsonl"))).isEqualTo(jsonl);

        // a point whose row is gone runs again; the result is byte-identical
        Files.writeString(out.resolve("results.jsonl"), jsonl.lines().filter(l -> !l.startsWith("{\"point\":1,")).map(l -> l + "\n")
                .reduce("", String::concat));
        SweepRunner.Outcome c;
        try (Engine e = new LocalEngine(2)) {
            c = SweepRunner.run(s, e, out, true, n -> ProgressReporter.silent(), CampaignTest.QUIET);
        }
        assertThat(c.skipped()).isEqualTo(1);
        assertThat(Files.readString(out.resolve("results.jsonl"))).isEqualTo(jsonl);
    }
}
