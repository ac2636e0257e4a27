package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end: outputs, exit statuses, and one-line errors for bad input. */
class CliTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int st = Ptlab.execute(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(st, o.toString(), e.toString());
    }

    @Test
    void bootBlockMappedSumsToRam() {
        Run r = run("boot", "--mem", "512G", "--rodata", "full", "--bbml2", "noabort");
        assertThat(r.status()).isZero();
        long sum = 0;
        for (String l : r.out().split("\n")) {
            if (l.startsWith("DirectMap")) {
                sum += Long.parseLong(l.replaceAll("^\\S+\\s+(\\d+) kB$", "$1"));
            }
        }
        assertThat(sum).isEqualTo(512L << 20);
        assertThat(r.out()).contains("DirectMap1G:    535822336 kB");
    }

    @Test
    void bootPteMappedIsAll4K() {
        Run r = run("boot", "--mem", "512G", "--rodata", "full", "--bbml2", "none");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("DirectMap4K:    536870912 kB", "DirectMap64K:          0 kB", "DirectMap1G:           0 kB")
                .contains("Linear map page tables: 1050628 kB");
    }

    @Test
    void rodataOffUsesLargestBlocksForEveryGranule() {
        assertThat(run("boot", "--mem", "64G", "--rodata", "off", "--granule", "16K").out())
                .contains("DirectMap1G:    66060288 kB", "DirectMap32M:    1015808 kB");
        Run r64 = run("boot", "--memmap", "0x400000000+64G", "--rodata", "off", "--granule", "64K", "--json");
        assertThat(r64.status()).isZero();
        assertThat(r64.out()).contains("\"DirectMap16G\" : 50331648");
    }

    @Test
    void jsonMatchesText() throws IOException {
        Run t = run("boot", "--mem", "3G", "--bbml2", "noabort");
        Run j = run("boot", "--mem", "3G", "--bbml2", "noabort", "--json");
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertThat(t.out()).contains("DirectMap2M:    " + String.format("%8d", n.get("directMapKb").get("DirectMap2M").asLong()) + " kB");
        assertThat(n.get("violations").size()).isZero();
    }

    @Test
    void demoPrintsBothTablesAndTheDifference() {
        Run r = run("demo", "--mem", "259505132K");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("without BBML2_NOABORT", "with BBML2_NOABORT", "Block mappings save");
        long saved = Long.parseLong(r.out().replaceAll("(?s).*Block mappings save (\\d+) kB.*", "$1"));
        assertThat(Math.abs(saved - 516148) / 516148.0).as("within 3%% of seed 003's 516148 kB").isLessThan(0.03);
    }

    @Test
    void badSizeIsOneLineExit2() {
        Run r = run("boot", "--mem", "12Q");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).isEqualTo("ptlab: --mem: bad size '12Q': unknown unit 'Q', expected K, M, G, T or P");
    }

    @Test
    void unsupportedGranuleVaIsExit2() {
        Run r = run("boot", "--granule", "64K", "--va-bits", "39");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unsupported granule/VA combination 64K/39").doesNotContain("\tat ");
        assertThat(r.err().trim().lines().count()).isEqualTo(1);
    }

    @Test
    void overlappingAndUnalignedRangesAreExit2() {
        Run o = run("boot", "--memmap", "0x40000000-0x80000000,0x70000000-0x90000000");
        assertThat(o.status()).isEqualTo(2);
        assertThat(o.err()).contains("overlap");
        Run u = run("boot", "--memmap", "0x40000800+1G");
        assertThat(u.status()).isEqualTo(2);
        assertThat(u.err()).contains("not aligned to the 4K page size");
    }

    @Test
    void malformedIomemNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("iomem");
        Files.writeString(f, "40000000-bfffffff : System RAM\n  40210000-4185ffff : Kernel code\nthis is not iomem\n");
        Run r = run("boot", "--iomem", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).startsWith("ptlab: " + f + ":3: expected 'START-END : NAME'");
        assertThat(r.err().trim().lines().count()).isEqualTo(1);
    }

    @Test
    void missingIomemFileIsExit2(@TempDir Path dir) {
        Run r = run("boot", "--iomem", dir.resolve("nope").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("nope: no such file");
    }

    @Test
    void unknownCpuIsExit2() {
        Run r = run("boot", "--cpu", "pentium");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown CPU 'pentium'");
    }

    @Test
    void neoverseV3PaintsBlocksWithRodataFull() {
        Run r = run("boot", "--mem", "8G", "--cpu", "neoverse-v3", "--cmdline", "console=ttyAMA0 rodata=on");
        assertThat(r.out()).contains("BBML2_NOABORT yes").contains("linear_map_requires_bbml2=yes");
        Run a57 = run("boot", "--mem", "8G", "--cpu", "neoverse-v3,cortex-a57");
        assertThat(a57.out()).contains("repainted to PTEs at boot").contains("DirectMap1G:           0 kB");
    }
}
