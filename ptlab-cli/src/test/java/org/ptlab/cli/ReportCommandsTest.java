package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ptlab compare and ptlab trace end to end: acceptance output, exit statuses, one-line errors. */
class ReportCommandsTest {
    static final String SAMPLE = "../ptlab-core/src/test/resources/traces/arm64-module-bpf-secretmem.trace";

    @TempDir
    Path tmp;

    @Test
    void compareAcceptance() {
        CliTest.Run r = CliTest.run("compare", "../scenarios/seed000-double-count.yaml", "--variants", "account=seed000-v7,account=exact");
        assertThat(r.status()).isEqualTo(1);
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("# compare ../scenarios/seed000-double-count.yaml");
        assertThat(lines[2]).matches(" +account=seed000-v7  account=exact");
        assertThat(r.out()).containsPattern("(?m)^DirectMap64K \\(kB\\) +\\d+ +\\d+  <== differs$"); // 7.2 map_mem(): alias mapped twice
        assertThat(r.out()).containsPattern("(?m)^DirectMap1G \\(kB\\) +(\\d+) +\\1$");
        assertThat(r.out()).containsPattern("(?m)^violations +1 +0  <== differs$");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void compareNeedsTwoKnownColumns() {
        CliTest.Run one = CliTest.run("compare", "../scenarios/seed000-double-count.yaml", "--variants", "account=exact");
        assertThat(one.status()).isEqualTo(2);
        assertThat(one.err()).isEqualTo("ptlab: --variants needs at least two columns, e.g. account=seed000-v7,account=exact\n");
        CliTest.Run bad = CliTest.run("compare", "../scenarios/seed000-double-count.yaml", "--variants", "account=exact,account=nope");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err().lines()).singleElement().asString().startsWith("ptlab: unknown variant 'nope' for account");
    }

    @Test
    void compareColumnsCanCombineVariants() {
        CliTest.Run r = CliTest.run("compare", "../scenarios/seed000-double-count.yaml", "--variants",
                "account=exact+split=minimal,account=exact+split=upstream", "--json");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"label\" : \"account=exact+split=minimal\"");
    }

    @Test
    void traceReplaysTheSampleAndWritesTheReportAtomically() throws Exception {
        Path html = tmp.resolve("t.html");
        CliTest.Run r = CliTest.run("trace", SAMPLE, "--mem", "8G", "--report", html.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("# 50 events were nested calls the model made itself (not replayed twice)");
        assertThat(r.err()).contains("CPU 2 lost 3 events");
        assertThat(Files.readString(html, StandardCharsets.UTF_8)).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("t.html");
        }
    }

    @Test
    void malformedTraceLineIsOneErrorLineWithItsNumber() throws Exception {
        Path t = tmp.resolve("bad.trace");
        Files.writeString(t, "# tracer: nop\n#\n  insmod-1 [000] ..... 1.000: set_memory_ro: (set_memory_ro+0x0/0x58) addr=0x1 numpages\n"
                + "  insmod-1 [000] ..... 1.001: set_memory_ro: (set_memory_ro+0x0/0x58) addr=0x1 numpages=1\n");
        CliTest.Run r = CliTest.run("trace", t.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("ptlab: " + t + ":3: expected name=value arguments, found 'numpages'\n");
    }

    @Test
    void truncatedTraceReplaysWithAWarning() throws Exception {
        String s = Files.readString(Path.of(SAMPLE), StandardCharsets.UTF_8);
        Path t = tmp.resolve("cut.trace");
        Files.writeString(t, s.substring(0, s.length() - 30));
        CliTest.Run r = CliTest.run("trace", t.toString(), "--mem", "8G");
        assertThat(r.status()).isZero();
        assertThat(r.err()).contains("ptlab: warning: " + t + ":91: truncated last line ignored");
        assertThat(r.out()).containsPattern("(?m)^steps +21$");
    }
}
