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

    static final String SORT = "../ptlab-core/src/test/resources/traces/sort1k.ptltrc.gz";

    @Test
    void replayTargetsVmallocUserAndLinear() {
        Run v = run("tlb-study", "replay", SORT, "--target", "vmalloc", "--mem", "1G", "--mapping", "4K", "--mapping", "64K", "--mapping", "2M");
        assertThat(v.status()).as(v.err()).isZero();
        assertThat(v.out()).contains("footprint: 12M in 2M chunks")
                .contains("== vmalloc, 4K mappings (456,817 accesses replayed; 12M: 3,072 PTE,")
                .contains("== vmalloc, 64K mappings (456,817 accesses replayed; 12M: 3,072 CONT_PTE,")
                .contains("== vmalloc, 2M mappings (456,817 accesses replayed; 12M: 6 PMD,")
                .contains("vmalloc_huge() VM_ALLOW_HUGE_VMAP, order-9 pages").contains("TTBR1 = swapper_pg_dir");
        assertThat(walks(v.out())).hasSize(3);
        assertThat(walks(v.out())[2]).isLessThan(walks(v.out())[0]);
        Run u = run("tlb-study", "replay", SORT, "--target", "user", "--mapping", "4K", "--mapping", "1G");
        assertThat(u.status()).as(u.err()).isZero();
        assertThat(u.out()).contains("footprint: 2G in 1G chunks").contains("== user, 4K mappings").contains("2G: 524,288 PTE")
                .contains("== user, 1G mappings").contains("2G: 2 PUD").contains("remap_pfn_range of device memory").contains("TTBR0 = the mm's pgd");
        assertThat(walks(u.out())[1]).isLessThan(walks(u.out())[0]);
        Run l = run("tlb-study", "replay", SORT, "--target", "linear", "--mem", "4G");
        assertThat(l.status()).as(l.err()).isZero();
        assertThat(l.out()).contains("== linear, 4K mappings").contains("== linear, block mappings").contains("BBML2_NOABORT yes");
        // the default target is the standalone region, as before
        Run r = run("tlb-study", "replay", SORT, "--mapping", "2M");
        assertThat(r.out()).contains("== 2M mappings (456,817 accesses replayed; region 8G, 40K of page tables) ==");
    }

    /** tlb-study replay takes the machine options of every command that builds a machine (issue 14). */
    @org.junit.jupiter.api.Test
    void replayTakesTheMachineOptions() {
        Run old = run("tlb-study", "replay", SORT, "--target", "vmalloc", "--mem", "1G", "--mapping", "16K", "--kernel", "6.1", "--granule", "16K");
        assertThat(old.status()).as(old.err()).isZero();
        assertThat(old.out()).contains("of linux 6.1, 16K/48");
        Run g = run("tlb-study", "replay", SORT, "--granule", "64K", "--va-bits", "52", "--mapping", "64K");
        assertThat(g.status()).as(g.err()).isZero();
        assertThat(g.out()).contains("== 64K mappings");
        Run bad = run("tlb-study", "replay", SORT, "--kernel", "6.1");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("apply to --target linear and vmalloc").doesNotContain("\n ");
    }

    static long[] walks(String out) {
        return out.lines().filter(x -> x.startsWith("walks ")).mapToLong(x -> Long.parseLong(x.split("\\s+")[1].replace(",", ""))).toArray();
    }

    @Test
    void impossibleTargetMappingCombinationsAreOneLineAndStatus2(@TempDir Path dir) throws Exception {
        // 200 loads 2M apart: a 400M vmalloc footprint, more than a 256M machine has free
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            b.append(String.format(" L %x,8%n", 0x40000000L + (i << 21)));
        }
        Path big = dir.resolve("sparse.lackey");
        Files.writeString(big, b.toString());
        String[][] bad = {
            {"--target", "vmalloc", "--mapping", "4K", "--mapping", "1G"},
            {"--target", "user", "--mapping", "64K"},
            {"--target", "linear", "--mapping", "2M"},
            {"--target", "heap"},
            {"--target", "user", "--mem", "4G"},
            {"--target", "vmalloc", "--region", "4G"},
            {"--target", "linear", "--mem", "1G"},
            {"--target", "vmalloc", "--mem", "256M", "--mapping", "2M"},
            {"--target", "linear", "--ifetch"},
        };
        String[] expect = {"--target vmalloc --mapping 1G: vmalloc maps with PTEs, contiguous PTEs or PMD blocks (VM_ALLOW_HUGE_VMAP); expected 4K, 64K, 2M",
            "--target user --mapping 64K", "--target linear --mapping 2M", "expected region, linear, vmalloc or user", "--mem applies to",
            "--region applies to --target region only", "give a larger --mem", "give a larger --mem",
            "--ifetch: the linear target maps data (PXN): every fetch would fault"};
        for (int i = 0; i < bad.length; i++) {
            String[] args = new String[bad[i].length + 3];
            args[0] = "tlb-study";
            args[1] = "replay";
            args[2] = i == 7 ? big.toString() : SORT;
            System.arraycopy(bad[i], 0, args, 3, bad[i].length);
            Run r = run(args);
            assertThat(r.status()).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(r.out()).as("no partial output").isEmpty();
            assertThat(r.err().strip()).startsWith("ptlab: ").contains(expect[i]).doesNotContain("\n");
        }
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
