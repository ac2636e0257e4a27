package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Invariants;

/** Per-release rules read in Debian's linux-source-6.1/6.12/7.2/7.3 (docs/kernel-versions.md). */
class ReleaseRulesTest {

    @Test
    void bbml2AllowListRangesAreVariantZeroOnly() {
        // MIDR_REV_RANGE(MIDR_CORTEX_X4, 0, 3, 0xf): r0p3..r0p15, not r1p0
        assertThat(Cpu.parse("cortex-x4:r0p3").bbml2NoAbort(KernelVersion.V7_2)).isTrue();
        assertThat(Cpu.parse("cortex-x4:r1p0").bbml2NoAbort(KernelVersion.V7_2)).isFalse();
        assertThat(Cpu.parse("neoverse-v3:r1p2").bbml2NoAbort(KernelVersion.V7_2)).isFalse();
    }

    @Test
    void bbml3AcceptsTheIdRegisterAndTheGrownListFrom73() {
        assertThat(Cpu.parse("neoverse-n3").bbml2NoAbort(KernelVersion.V7_2)).isFalse();
        assertThat(Cpu.parse("neoverse-n3").bbml2NoAbort(KernelVersion.V7_3)).isTrue();
        assertThat(Cpu.parse("c1-ultra:r1p0").bbml2NoAbort(KernelVersion.V7_3)).isFalse();
        assertThat(Cpu.parse("c1-ultra:r1p1").bbml2NoAbort(KernelVersion.V7_3)).isTrue();
        assertThat(Cpu.parse("cortex-a57:bbm=3").bbml2NoAbort(KernelVersion.V7_2)).isFalse();
        assertThat(Cpu.parse("cortex-a57:bbm=3").bbml2NoAbort(KernelVersion.V7_3)).isTrue();
        Cpu q = Cpu.parse("max:midr=0x410fd842");
        assertThat(q.lpa2()).isTrue();
        assertThat(q.bbml2NoAbort(KernelVersion.V7_2)).isTrue();
    }

    @Test
    void debianBuildsGiveVaBitsFromTheBootCpu() {
        MachineSpec s = new MachineSpec();
        s.kernel = "7.2";
        s.mem = "2G";
        s.cpu = "max";
        KernelConfig c = s.build().cfg();
        assertThat(c.vaBits).isEqualTo(52);
        assertThat(c.kfence).isTrue();
        assertThat(c.kfenceSampleInterval).isZero();
        s.cpu = "cortex-a57";
        assertThat(s.build().cfg().vaBits).isEqualTo(48);
        s.kernel = "6.1";
        s.cpu = "max";
        KernelConfig c61 = s.build().cfg();
        assertThat(c61.vaBits).isEqualTo(48);
        assertThat(c61.kfence).isFalse();
        s.kernel = "7.3";
        s.granule = "16K";
        assertThat(s.build().cfg().vaBits).isEqualTo(52);
        s.cpu = "cortex-a57";
        assertThat(s.build().cfg().vaBits).isEqualTo(47);
    }

    @Test
    void buildConfigIsReadFromARealConfigText() {
        String text = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 6.12.107 Kernel Configuration\n#\n"
                + "CONFIG_ARM64=y\nCONFIG_ARM64_16K_PAGES=y\nCONFIG_ARM64_VA_BITS=52\nCONFIG_KFENCE=y\n"
                + "CONFIG_KFENCE_SAMPLE_INTERVAL=100\nCONFIG_KFENCE_NUM_OBJECTS=63\n# CONFIG_DEBUG_PAGEALLOC is not set\n"
                + "CONFIG_RODATA_FULL_DEFAULT_ENABLED=y\n";
        BuildConfig b = BuildConfig.parse(text, "config");
        assertThat(b.version).isEqualTo(KernelVersion.V6_12);
        assertThat(b.granule).isEqualTo(Granule.G16K);
        assertThat(b.kfenceSampleInterval).isEqualTo(100);
        assertThat(b.kfenceNumObjects).isEqualTo(63);
        assertThat(b.vaBitsActual(false)).isEqualTo(47);
        KernelConfig c = new KernelConfig();
        b.applyTo(c);
        c.vaBits = 47;
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(2L << 30));
        // early pool: (63 + 1) * 2 pages of 16K, mapped with pages
        assertThat(k.kfencePoolSize).isEqualTo(128L * 16384);
        assertThatThrownBy(() -> BuildConfig.parse("CONFIG_X86=y\n", "cfg")).hasMessageContaining("cfg:1: CONFIG_ARM64 is not set");
        assertThatThrownBy(() -> BuildConfig.parse("CONFIG_ARM64=y\nbogus\n", "cfg")).hasMessageStartingWith("cfg:2: expected CONFIG_NAME=VALUE");
    }

    @Test
    void crashkernelMapsTheLinearMapWithPagesOnlyOn61() {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_1, KernelVersion.V6_12}) {
            KernelConfig c = new KernelConfig();
            c.version = v;
            Cmdline.apply("rodata=off crashkernel=256M", c);
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(4L << 30));
            assertThat(k.forcePteMapping).as(v.label).isEqualTo(v == KernelVersion.V6_1);
        }
    }

    @Test
    void aliasLoopOn72ChangesOnlyTheRequestedPages() {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_12, KernelVersion.V7_2}) {
            KernelConfig c = new KernelConfig();
            c.version = v;
            c.rodata = Rodata.FULL;
            c.bbml2Override = Boolean.TRUE;
            c.rodata = v == KernelVersion.V7_2 ? Rodata.FULL : Rodata.FULL;
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(1L << 30));
            VmStruct a = k.vmalloc.vmalloc(16 * k.geo.pageSize, 0, 0, false, "test");
            assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();
            int ro = 0;
            for (int i = 0; i < 16; i++) {
                if (!k.pageAttr.kernelPagePresent(a.pages[i])) {
                    continue;
                }
                if (isReadOnly(k, k.physToVirt(a.pages[i]))) {
                    ro++;
                }
            }
            assertThat(ro).as(v.label).isEqualTo(v == KernelVersion.V7_2 ? 1 : 16);
        }
    }

    private static boolean isReadOnly(Kernel k, long va) {
        long table = k.swapper;
        for (int level = k.geo.startLevel; level <= 3; level++) {
            long d = k.pg.read(table, k.geo.index(level, va));
            if (level == 3 || !Desc.isTable(d)) {
                return (d & Desc.RDONLY) != 0;
            }
            table = org.ptlab.pgtable.Pgtable.tablePa(d);
        }
        return false;
    }

    @Test
    void setMemoryValidEnableFlushesBefore72() {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_12, KernelVersion.V7_2}) {
            KernelConfig c = new KernelConfig();
            c.version = v;
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(1L << 30));
            long va = k.physToVirt(k.mem.memory().get(0).start() + (512L << 20));
            k.pageAttr.setMemoryValid(va, 1, false);
            long[] n = {0};
            k.pg.addObserver(new org.ptlab.pgtable.PgtableObserver() {
                @Override
                public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long a, long pages, int asid) {
                    n[0]++;
                }
            });
            k.pageAttr.setMemoryValid(va, 1, true);
            assertThat(n[0]).as(v.label).isEqualTo(v == KernelVersion.V7_2 ? 0 : 1);
        }
    }

    @Test
    void map72MapsTheImageFirstAndKeepsItsEdges() {
        // 7.2-v3-2G (Debian 7.2.13, Neoverse-V3 MIDR, 2G): image [0x40200000, 0x42710000), data
        // [0x42ae0000, 0x43100000): the boot painting of the real capture, without its runtime splits.
        MemoryLayout m = new MemoryLayout().addMemory(0x4000_0000L, 0xc000_0000L).kernelImage(0x4020_0000L, 0x4271_0000L)
                .kernelData(0x42ae_0000L, 0x4310_0000L).bssStop(0x430e_6000L); // __bss_stop = _end - 0x1a000 (the capture's kallsyms)
        KernelConfig c = new KernelConfig();
        c.version = KernelVersion.V7_2;
        c.vaBits = 52;
        c.kfence = true;
        c.cpus.clear();
        c.cpus.add(Cpu.parse("max:midr=0x410fd842"));
        c.cpus.add(Cpu.parse("max:midr=0x410fd842"));
        Kernel k = Kernel.boot(c, m);
        assertThat(k.directMap.bytes(MapSize.PUD) >> 30).isEqualTo(1);
        assertThat(k.directMap.bytes(MapSize.CONT_PMD) >> 25).isEqualTo(30);
        assertThat(k.directMap.bytes(MapSize.PMD) >> 21).isEqualTo(29);
        assertThat(k.directMap.bytes(MapSize.CONT_PTE) >> 16).isEqualTo(95);
        assertThat(k.directMap.bytes(MapSize.PTE) >> 12).isEqualTo(16);
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void hotAddOnAMixedSystemUsesTheSystemCapability() {
        KernelConfig c = new KernelConfig();
        c.version = KernelVersion.V7_2;
        c.rodata = Rodata.FULL;
        c.cpus.clear();
        c.cpus.add(Cpu.parse("neoverse-v3"));
        c.cpus.add(Cpu.parse("cortex-a57"));
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(2L << 30));
        assertThat(k.repaintedAtBoot).isTrue();
        assertThat(k.forcePteMapping).isFalse(); // the boot CPU's view at map_mem()
        assertThat(k.hotplug.addMemory(0x1_0000_0000L, 1L << 30)).isZero();
        assertThat(k.directMap.bytes(MapSize.PUD)).isZero(); // hot-added with pages, not one PUD block
        assertThat(k.hotplug.addMemory(0x1_0000_0000L, 1L << 30)).isEqualTo(-Errno.EEXIST);
        assertThat(k.hotplug.addMemory(1L << 52 - 4, 1L << 30)).isEqualTo(-Errno.E2BIG);
        assertThat(k.hotplug.offlinePages(0x4000_0000L, c.memoryBlockSize())).isEqualTo(-Errno.EPERM);
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void rangeTlbiIsSplitByScaleAndLpa2Alignment() {
        for (int va : new int[] {48, 52}) {
            KernelConfig c = new KernelConfig();
            c.vaBits = va;
            c.tlbRange = true;
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(1L << 30));
            java.util.List<Long> ops = new java.util.ArrayList<>();
            k.pg.addObserver(new org.ptlab.pgtable.PgtableObserver() {
                @Override
                public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long a, long pages, int asid) {
                    ops.add(pages);
                }
            });
            long base = k.physToVirt(0x4000_0000L + (256L << 20));
            // 4K + 71 pages: with LPA2, 15 single pages up to the 64K boundary, then 56 = 32 (scale 1... 0) + ...
            k.tlb.flushTlbKernelRange(base + 4096, base + 4096 + 71 * 4096L);
            long total = ops.stream().mapToLong(Long::longValue).sum();
            assertThat(total).as("pages covered, VA %d", va).isEqualTo(71);
            if (va == 52) {
                // 15 single TLBIs to reach 64K alignment, then 56 pages: scale 1 (2 x 2^6? no: 56 >> 6 = 0), scale 0: 28 x 2 = 56
                assertThat(ops).hasSize(16);
            } else {
                // 71 pages: scale 0 covers 70 as num 34 > 31? no: scale 1 first: 71 >> 6 = 1 -> 64 pages, then scale 0: 7 >> 1 = 3 -> 6, then 1 page
                assertThat(ops).containsExactly(64L, 6L, 1L);
            }
        }
    }
}
