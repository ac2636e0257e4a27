package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ptlab oracle`: bad input is one line, exit 2, nothing written; check of a copied capture. */
class OracleCliTest {
    @TempDir
    Path tmp;

    record Out(int status, String out, String err) {}

    static Out run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int st = Ptlab.execute(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Out(st, o.toString(), e.toString());
    }

    static Path committed(String name) {
        return Path.of("..", "ptlab-core", "src", "test", "resources", "oracle", "linux-6.1-qemu", name);
    }

    static Path matrix(String name) {
        return Path.of("..", "ptlab-core", "src", "test", "resources", "oracle", "captures", name);
    }

    @Test
    void unknownKernelShapeIsOneLineAndWritesNothing() {
        Path out = tmp.resolve("out");
        Out r = run("oracle", "capture", "--kernel", "linux-foo-1.0", "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("unknown kernel 'linux-foo-1.0'");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingQemuIsOneLineAndWritesNothing() {
        Path out = tmp.resolve("out");
        System.setProperty("ptlab.qemu", tmp.resolve("no-such-qemu").toString());
        try {
            Out r = run("oracle", "capture", "--kernel", "7.2", "--out", out.toString());
            assertThat(r.status).isEqualTo(2);
            assertThat(r.err.strip()).doesNotContain("\n").contains("is not installed");
            assertThat(out).doesNotExist();
        } finally {
            System.clearProperty("ptlab.qemu");
        }
    }

    @Test
    void badSettingsAreOneLine() {
        Out r = run("oracle", "capture", "--kernel", "7.2", "--mem", "lots", "--out", tmp.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("bad memory size 'lots'");
    }

    @Test
    void plainCaptureSettingsAreCheckedFirstAndOneLine() {
        Path out = tmp.resolve("out");
        Out r = run("oracle", "capture", "--kernel", "6.1", "--no-trace", "--workload", "modules", "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("--no-trace with workload 'modules'");
        assertThat(out).doesNotExist();
        r = run("oracle", "capture", "--kernel", "6.1", "--no-trace", "--initrd-size", "big", "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("bad --initrd-size 'big'");
        assertThat(out).doesNotExist();
    }

    @Test
    void captureFolderWithMissingOrCorruptFileIsOneLine() throws Exception {
        Path c = tmp.resolve("cap");
        copy(committed("2G-rodata_on"), c);
        Files.delete(c.resolve("decomposition"));
        Out r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("decomposition: missing");
        assertThat(r.out).isEmpty();

        copy(committed("2G-rodata_on"), c);
        Files.writeString(c.resolve("linear-map.txt"), "0xffff000000000000-0xffff000000200000 2M PMD RW pa=0x40000000\n");
        r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("linear-map.txt:1:");

        copy(committed("2G-rodata_on"), c);
        Files.writeString(c.resolve("capture.properties"), "kernel.release=6.1\nmmu.granule=4K\nmmu.va_bits=forty\n");
        r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("capture.properties:3: mmu.va_bits: expected a number");
    }

    @Test
    void corruptBootInputsAreOneLineNamingFileAndLine() throws Exception {
        Path c = tmp.resolve("cap2");
        copy(matrix("7.2-v3-2G"), c);
        Files.writeString(c.resolve("vmallocinfo"), "0xffff800080000000-0xffff800080002000    8192 start_kernel pages=1\nbroken line\n");
        Out r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("vmallocinfo:2: expected '0xSTART-0xEND SIZE CALLER ...'");
        assertThat(r.out).isEmpty();

        copy(matrix("7.2-v3-2G-kfence100"), c);
        Files.writeString(c.resolve("kfence-objects"), "kfence-#0 unused\nfreed by task 1 on cpu 0\n");
        r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("kfence-objects:2: 'freed by' without a used object before it");

        copy(matrix("7.2-v3-2G"), c);
        Files.writeString(c.resolve("kernel-map.txt"), "---[ Kernel Area start ]---\n0xffff800080000000 4K PTE\n");
        r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("kernel-map.txt:2:");
    }

    @Test
    void checkOfACommittedCapture() throws Exception {
        Path c = tmp.resolve("2G-rodata_on");
        copy(committed("2G-rodata_on"), c);
        Out r = run("oracle", "check", c.toString());
        assertThat(r.out).contains("2G-rodata_on: reproduced exactly", "1 of 1 captures reproduced exactly");
        assertThat(r.status).isZero();
    }

    @Test
    void checkShowsTheRangeDiffOnAMismatch() throws Exception {
        Path c = tmp.resolve("edited");
        copy(committed("2G-rodata_on"), c);
        // the real kernel "had" one more read-only 64K piece than the model predicts
        String lm = Files.readString(c.resolve("linear-map.txt")).replace(
                "0xffff000001860000-0xffff000001a00000     1664K PTE RW     NX SHD AF    CON     UXN DBM MEM/NORMAL  pa=0x41860000",
                "0xffff000001860000-0xffff000001870000       64K PTE ro     NX SHD AF    CON     UXN     MEM/NORMAL  pa=0x41860000\n"
                + "0xffff000001870000-0xffff000001a00000     1600K PTE RW     NX SHD AF    CON     UXN DBM MEM/NORMAL  pa=0x41870000");
        Files.writeString(c.resolve("linear-map.txt"), lm);
        Out r = run("oracle", "check", c.toString());
        assertThat(r.status).isEqualTo(1);
        assertThat(r.out).contains("edited: MISMATCH", "- real  0xffff000001860000-0xffff000001870000",
                "+ model 0xffff000001860000-0xffff000001a00000", "0 of 1 captures reproduced exactly");
    }

    @Test
    void runOfAShippedScenarioFromACapturedBootHoldsEveryInvariant() {
        Out r = run("run", Path.of("..", "scenarios", "split-whole-ranges.yaml").toString(), "--from-capture", committed("2G-rodata_on").toString());
        assertThat(r.out).contains("all hold");
        assertThat(r.status).as(r.err).isZero();
        Out b = run("boot", "--from-capture", committed("4G-rodata_off").toString());
        assertThat(b.out).contains("DirectMap1G:     3145728 kB");
        assertThat(b.status).as(b.err).isZero();
    }

    static void copy(Path from, Path to) throws Exception {
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.walk(to)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
