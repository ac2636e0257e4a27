package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.check.Invariants;

/** ptp_classifier_init()'s BPF JIT at boot (BootInitcalls), per release; docs/kernel-versions.md. */
class BootInitcallsTest {
    static Kernel boot(KernelVersion v, java.util.function.BiFunction<java.util.List<String>, Integer, long[]> pages) {
        KernelConfig c = new KernelConfig();
        BuildConfig.debian(v, org.ptlab.arch.Granule.G4K).applyTo(c);
        c.vaBits = 48;
        c.cpus.clear();
        c.cpus.add(Cpu.parse("cortex-a57"));
        c.bootPages = pages;
        return Kernel.boot(c, MemoryLayout.ofSize(2L << 30));
    }

    static long roAliasBytes(Kernel k, long pa, long bytes) {
        long n = 0;
        for (long p = pa; p < pa + bytes; p += k.geo.pageSize) {
            n += isReadOnly(k, k.physToVirt(p)) ? k.geo.pageSize : 0;
        }
        return n;
    }

    static boolean isReadOnly(Kernel k, long va) {
        long table = k.swapper;
        for (int level = k.geo.startLevel; level <= 3; level++) {
            long d = k.pg.read(table, k.geo.index(level, va));
            if (level == 3 || !org.ptlab.arch.Desc.isTable(d)) {
                return (d & org.ptlab.arch.Desc.RDONLY) != 0;
            }
            table = org.ptlab.pgtable.Pgtable.tablePa(d);
        }
        return false;
    }

    @Test
    void theJitImageAreaPerRelease() {
        assertThat(BootInitcalls.ptpJitPages(KernelVersion.V6_1, 4096)).isEqualTo(1);      // bpf_jit_binary_alloc: one page
        assertThat(BootInitcalls.ptpJitPages(KernelVersion.V6_12, 4096)).isEqualTo(512);   // a 2M bpf_prog_pack
        assertThat(BootInitcalls.ptpJitPages(KernelVersion.V7_2, 16384)).isEqualTo(128);
    }

    @Test
    void pagesFromTheCaptureBecomeReadOnlyInTheLinearMap() {
        Kernel k = boot(KernelVersion.V6_1, (callers, n) -> {
            assertThat(callers).contains("bpf_jit_alloc_exec");
            assertThat(n).isEqualTo(1);
            return new long[] {0x4815_c000L};
        });
        assertThat(roAliasBytes(k, 0x4815_c000L, 4096)).isEqualTo(4096);
        assertThat(roAliasBytes(k, 0x4815_d000L, 4096)).isZero();
        assertThat(Invariants.check(k)).isEmpty();
        // 6.12: the pack, scattered pages as the real allocator gave them
        long[] pack = new long[512];
        for (int i = 0; i < 512; i++) {
            pack[i] = (i < 256 ? 0x4500_0000L : 0x4830_0000L) + (long) (i % 256) * 4096;
        }
        Kernel k2 = boot(KernelVersion.V6_12, (callers, n) -> pack);
        assertThat(roAliasBytes(k2, 0x4500_0000L, 1L << 20) + roAliasBytes(k2, 0x4830_0000L, 1L << 20)).isEqualTo(2L << 20);
        assertThat(Invariants.check(k2)).isEmpty();
    }

    @Test
    void withoutACaptureTheModelPlacesThePack() {
        // 7.2: one block of the largest order (vm_area_alloc_pages), so a 2M-aligned 2M read-only alias
        Kernel k = boot(KernelVersion.V7_2, null);
        VmStruct pack = null;
        for (VmStruct a : k.vmalloc.areas()) {
            pack = a.caller.contains("ptp_classifier_init") ? a : pack;
        }
        assertThat(pack).isNotNull();
        assertThat(pack.nrPages).isEqualTo(512);
        assertThat(pack.pages[0] & ((2L << 20) - 1)).isZero();
        assertThat(pack.pages[511]).isEqualTo(pack.pages[0] + 511 * 4096L);
        assertThat(roAliasBytes(k, pack.pages[0], 2L << 20)).isEqualTo(2L << 20);
        // a build without the PTP classifier JIT (the neutral machine) makes no such call
        KernelConfig c = new KernelConfig();
        Kernel n = Kernel.boot(c, MemoryLayout.ofSize(2L << 30));
        assertThat(n.vmalloc.count()).isZero();
    }

    @Test
    void kernelDataAndBssStayOutOfThePageAllocator() {
        // arm64_memblock_init() reserves [_stext, _end); free_initmem() gives back [__init_begin, __init_end) only
        MemoryLayout m = new MemoryLayout().addMemory(0x4000_0000L, 0xc000_0000L).kernelImage(0x4020_0000L, 0x4271_0000L)
                .kernelData(0x42ae_0000L, 0x4310_0000L);
        Kernel k = Kernel.boot(new KernelConfig(), m);
        assertThat(k.pageAlloc.isFree(0x42ae_0000L, 0x42ae_1000L)).isFalse();
        assertThat(k.pageAlloc.isFree(0x430f_f000L, 0x4310_0000L)).isFalse();
        assertThat(k.pageAlloc.isFree(0x4271_0000L, 0x4271_1000L)).isTrue(); // init memory, freed
        assertThat(k.pageAlloc.isFree(0x4310_0000L, 0x4310_1000L)).isTrue();
    }
}
