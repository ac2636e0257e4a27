package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyCommandTest {
    @TempDir
    Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        return Ptlab.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void smallStudyWritesCsvAndPlots() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = run(out, err, "study", "degradation", "--mem", "4G", "--set", "hours=6", "--set", "samples=6", "--set", "modules.rate=20",
                "--out", dir.toString(), "--jobs", "1", "--check-every", "2");
        assertThat(rc).as(out + "\n" + err).isZero();
        for (String v : new String[] {"none", "seed001", "order-aware", "x86", "background"}) {
            assertThat(out.toString()).contains("== collapse=" + v + ":");
        }
        assertThat(out.toString()).contains("invariants and collapse audit: all hold").doesNotContain("VIOLATIONS");
        String csv = Files.readString(dir.resolve("degradation.csv"));
        assertThat(csv.lines().count()).isEqualTo(1 + 5 * 7);
        assertThat(csv).startsWith("variant,hours,operations,pte_bytes");
        assertThat(Files.size(dir.resolve("degradation.png"))).isPositive();
        assertThat(Files.readString(dir.resolve("degradation.svg"))).contains("<svg").contains("contPTE (64K)");
        assertThat(err.toString()).contains("study degradation:");
    }

    @Test
    void reportHasOneColumnPerVariantAndOneStepPerSample() throws Exception {
        StringWriter out = new StringWriter();
        Path html = dir.resolve("study.html");
        int rc = run(out, new StringWriter(), "study", "degradation", "--mem", "4G", "--set", "hours=6", "--set", "samples=6",
                "--variants", "none,background", "--out", dir.toString(), "--jobs", "1", "--report", html.toString());
        assertThat(rc).as(out.toString()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("study degradation").contains("collapse=none").contains("collapse=background");
        // the embedded run data: boot plus the 7 samples (0 .. 6 h) for each variant
        assertThat(page.split("\"label\":\"6.0 h\"", -1).length - 1).isEqualTo(2);
    }

    @Test
    void badSettingIsAOneLineInputError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(run(out, err, "study", "degradation", "--set", "modules.speed=3", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString().trim()).contains("unknown workload setting 'modules.speed'").doesNotContain("\n");
        assertThat(run(out, new StringWriter(), "study", "degradation", "--variants", "bogus", "--out", dir.toString())).isEqualTo(2);
    }
}
