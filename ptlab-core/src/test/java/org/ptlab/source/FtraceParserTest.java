package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

public class FtraceParserTest {
    static final Path SAMPLE = Path.of("src/test/resources/traces/arm64-module-bpf-secretmem.trace");

    public static String sample() throws Exception {
        return Files.readString(SAMPLE, StandardCharsets.UTF_8);
    }

    @Test
    void parsesTheShippedSample() throws Exception {
        FtraceParser.Trace t = FtraceParser.parse(sample(), "sample.trace");
        assertThat(t.tracer()).isEqualTo("nop");
        assertThat(t.events()).hasSize(76);
        assertThat(t.lostEvents()).isEqualTo(3);
        assertThat(t.warnings()).singleElement().asString().startsWith("sample.trace:32: CPU 2 lost 3 events");
        assertThat(t.directives()).containsEntry("va_bits", "48").containsEntry("vmemmap", "0xfffffc0000000000");
        FtraceEvent first = t.events().get(0);
        assertThat(first.comm()).isEqualTo("insmod");
        assertThat(first.pid()).isEqualTo(1201);
        assertThat(first.cpu()).isEqualTo(3);
        assertThat(first.function()).isEqualTo("__vmalloc_node_range_noprof");
        assertThat(first.isReturn()).isFalse();
        assertThat(first.arg("f", "size")).isEqualTo(0x18000);
        FtraceEvent ret = t.events().get(1);
        assertThat(ret.isReturn()).isTrue();
        assertThat(ret.function()).isEqualTo("__vmalloc_node_range_noprof");
        assertThat(ret.arg("f", "ret")).isEqualTo(0xffff80007a6e0000L);
        FtraceEvent mod = t.events().stream().filter(e -> e.function().equals("module_load")).findFirst().orElseThrow();
        assertThat(mod.args()).containsEntry("text", "ext4_test");
    }

    @Test
    void kworkerCommsWithDashesSlashesAndTgidColumn() {
        String t = "   kworker/u8:2-97      (     97) [000] d..1.   812.334441: set_memory_ro: (set_memory_ro+0x0/0x58) addr=0x10 numpages=-1\n"
                + "  my-tool-with-dash-1234 [001]   1.000001: sro: (set_memory_ro+0x0/0x58) addr=0x20 numpages=2\n";
        FtraceParser.Trace p = FtraceParser.parse(t, "x");
        assertThat(p.events()).hasSize(2);
        assertThat(p.events().get(0).comm()).isEqualTo("kworker/u8:2");
        assertThat(p.events().get(0).arg("x", "numpages")).isEqualTo(-1);
        assertThat(p.events().get(1).comm()).isEqualTo("my-tool-with-dash");
        assertThat(p.events().get(1).pid()).isEqualTo(1234);
        assertThat(p.events().get(1).function()).isEqualTo("set_memory_ro");
    }

    @Test
    void malformedLineIsOneErrorLineWithItsNumber() throws Exception {
        String[] lines = sample().split("\n", -1);
        lines[20] = "          insmod-1201    [003] .....   812.332934: set_memory_ro: set_memory_ro+0x0/0x58) addr=0xffff";
        String broken = String.join("\n", lines);
        assertThatThrownBy(() -> FtraceParser.parse(broken, "t.trace"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("t.trace:21: ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> FtraceParser.parse("# tracer: nop\nthis is not a trace line\n", "t.trace"))
                .hasMessage("t.trace:2: expected an event line 'COMM-PID [CPU] FLAGS SECONDS.MICROS: EVENT: ...', a '#' comment or 'CPU:N [LOST n EVENTS]'");
        assertThatThrownBy(() -> FtraceParser.parse("a-1 [000] 1.0: sro: (set_memory_ro+0x0/0x58) addr=0x1 junk\n", "t.trace"))
                .hasMessage("t.trace:1: expected name=value arguments, found 'junk'");
    }

    @Test
    void truncatedLastLineIsDroppedWithAWarning() throws Exception {
        String s = sample();
        int cut = s.lastIndexOf("page=0x") + "page=0x".length() - 3; // inside the last event, no newline after
        String truncated = s.substring(0, cut);
        FtraceParser.Trace t = FtraceParser.parse(truncated, "t.trace");
        assertThat(t.events()).hasSize(75);
        assertThat(t.warnings()).anySatisfy(w -> assertThat(w).startsWith("t.trace:91: truncated last line ignored")
                .contains("replaying the 75 complete events before it"));
    }

    @Test
    void badDirectiveIsAnError() {
        assertThatThrownBy(() -> FtraceParser.parse("# ptlab: va_bits\n", "d.trace")).hasMessage("d.trace:1: expected '# ptlab: key=value'");
    }
}
