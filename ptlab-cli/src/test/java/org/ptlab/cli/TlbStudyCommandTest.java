package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlbStudyCommandTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int st = Ptlab.execute(args);
            return new Run(st, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void presetsListAndYaml() {
        Run r = run("tlb-study", "presets");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("neoverse-n1").contains("L2-TLB 1280-entry 5-way").contains("cortex-a55");
        Run y = run("tlb-study", "presets", "--yaml", "cortex-a72");
        assertThat(y.out()).contains("entries: 1024").contains("memoryLatency: 180");
    }

    @Test
    void convertAndReplayALackeyTrace(@TempDir Path dir) throws Exception {
        Path lk = dir.resolve("t.lackey");
        StringBuilder b = new StringBuilder("==1== Lackey\n");
        for (int i = 0; i < 3000; i++) {
            b.append("I  04001000,3\n");
            b.append(String.format(" L %x,8%n", 0x4200000L + (long) i * 4096));
            b.append(String.format(" S 1ffefff%03x,8%n", (i * 8) & 0xfff));
        }
        Files.writeString(lk, b.toString());
        Path bin = dir.resolve("t.ptltrc");
        Run c = run("tlb-study", "convert", lk.toString(), bin.toString());
        assertThat(c.status()).isZero();
        assertThat(c.out()).contains("6,000 accesses, 3,000 instructions");
        Run r = run("tlb-study", "replay", bin.toString(), "--region", "4G");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("== 4K mappings").contains("== 2M mappings").contains("(from the trace)");
    }

    @Test
    void badInputIsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        Path lk = dir.resolve("bad.lackey");
        Files.writeString(lk, " L 1000,8\n X 12,4\n");
        Run r = run("tlb-study", "replay", lk.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("ptlab: ").contains("bad.lackey:2:").doesNotContain("\n");
        Path y = dir.resolve("c.yaml");
        Files.writeString(y, "tlbs: [{entries: 48, ways: 5}]\n");
        Run q = run("tlb-study", "lat-mem-rd", "--core-config", y.toString(), "--sizes", "64M");
        assertThat(q.status()).isEqualTo(2);
        assertThat(q.err()).contains("multiple of ways");
        assertThat(run("tlb-study", "lat-mem-rd", "--core", "nope").status()).isEqualTo(2);
    }
}
