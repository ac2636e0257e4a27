package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.workload.Scenario;

class ReportTest {
    static final Path DOUBLE_COUNT = Path.of("..", "scenarios", "seed000-double-count.yaml");

    static RunRecord run(String... variants) {
        Scenario s = Scenario.load(DOUBLE_COUNT);
        return Runs.scenario(s, List.of(variants), 0, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                ProgressReporter.silent());
    }

    @Test
    void compareMarksTheDivergingCountersAndOnlyThose() {
        RunRecord v7 = run("account=seed000-v7");
        RunRecord exact = run("account=exact");
        String table = CompareTable.render("compare", List.of(v7, exact));
        assertThat(table.split("\n")[2]).contains("account=seed000-v7").contains("account=exact");
        // the double count: DirectMap counters differ (on 7.2 already at boot, where map_mem() maps the
        // memory over the image alias it mapped first), the walk-derived table memory does not
        assertThat(table).containsPattern("DirectMap\\w+ \\(kB\\) +\\d+ +\\d+  <== differs");
        assertThat(table).containsPattern("PageTables, linear map \\(pages\\) +(\\d+) +\\1\n");
        assertThat(table).containsPattern("violations +1 +0  <== differs");
        assertThat(table).contains("account=seed000-v7: VIOLATION after the end of the scenario: counters: DirectMap");
        assertThat(v7.status).isEqualTo(1);
        assertThat(exact.status).isZero();
        // both ran every step: the columns compare the same point
        assertThat(v7.last().step).isEqualTo(exact.last().step).isEqualTo(10);
    }

    @Test
    void exactAccountingMatchesTheFinalMapRunByRun() {
        RunRecord r = run();
        RunRecord.Snapshot s = r.last();
        for (int i = 0; i < r.sizeKinds.size(); i++) {
            String kind = r.sizeKinds.get(i);
            long mapped = r.linearMap.stream().filter(m -> m.size.equals(kind)).mapToLong(m -> m.end - m.start).sum();
            assertThat(mapped >> 10).as(r.sizeNames.get(i)).isEqualTo(s.directMapKb[i]);
        }
        assertThat(r.steps).hasSize(11);
        assertThat(r.ops).anyMatch(o -> o.name.equals("set_memory_ro") && o.calls > 0 && o.tlbi > 0);
    }

    @Test
    void htmlIsSelfContainedAndEscapesTheEmbeddedData() {
        RunRecord r = run();
        r.label = "</script><script>alert(1)</script>";
        String html = HtmlReport.render("t <&>", List.of(r));
        assertThat(html).doesNotContainPattern("(src|href)\\s*=");
        assertThat(html).doesNotContain("<link").doesNotContain("@import").doesNotContain("url(");
        assertThat(html).contains("<title>ptlab report: t &lt;&amp;&gt;</title>");
        // the only </script> closings are ours: 2 inline scripts + the JSON block
        assertThat(html.split("</script>", -1)).hasSize(4);
        assertThat(html).contains("id=\"render-status\"").contains("id=\"console-errors\"");
    }
}
