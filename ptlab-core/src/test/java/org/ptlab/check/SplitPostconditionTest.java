package org.ptlab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.Rodata;

/**
 * Invariants 5 and 7 of the reference: after split_kernel_leaf_mapping(s, e) returns 0 both edges
 * are leaf boundaries and every page translates exactly as before; and a live size change without
 * BBML2_NOABORT is reported as a break-before-make violation.
 */
class SplitPostconditionTest {
    @Test
    void edgesBecomeBoundariesAndTranslationsAreKept() {
        Random r = new Random(7);
        for (Granule g : Granule.values()) {
            KernelConfig c = new KernelConfig();
            c.granule = g;
            c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
            long mem = g == Granule.G4K ? 6L << 30 : 40L << 30;
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(mem));
            PageRefModel ref = new PageRefModel(k);
            long ps = k.geo.pageSize;
            for (int i = 0; i < 200; i++) {
                long s = k.physToVirt(0x4000_0000L + (long) (r.nextDouble() * (mem - ps)) & -ps);
                long e = s + ps * (1 + (r.nextInt(4) == 0 ? r.nextInt(1 << 16) : r.nextInt(40)));
                e = Math.min(e, k.physToVirt(0x4000_0000L + mem));
                assertThat(k.split.splitKernelLeafMapping(s, e)).isZero();
                assertThat(k.hotplug.isLeafBoundary(s)).as("%s start 0x%x", g, s).isTrue();
                assertThat(k.hotplug.isLeafBoundary(e)).as("%s end 0x%x", g, e).isTrue();
            }
            assertThat(ref.compare(5)).isEmpty();
            assertThat(Invariants.check(k)).isEmpty();
        }
    }

    @Test
    void aLiveSplitWithoutBbml2IsABreakBeforeMakeViolation() {
        KernelConfig c = new KernelConfig(); // cpu max: no BBML2_NOABORT
        c.rodata = Rodata.NOALIAS; // block-mapped
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(4L << 30));
        LiveSizeChange bbm = new LiveSizeChange(k);
        k.pg.addObserver(bbm);
        long va = k.physToVirt(0x1_0000_0000L) + 0x5000;
        // the kernel itself never does this (split_kernel_leaf_mapping returns 0 at once)...
        assertThat(k.split.splitKernelLeafMapping(va, va + k.geo.pageSize)).isZero();
        assertThat(bbm.drain()).isEmpty();
        // ...but a variant or a bug that splits anyway is caught
        k.pg.lock(k.pgtableSplitLock);
        assertThat(k.split.splitAt(va)).isZero();
        k.pg.unlock(k.pgtableSplitLock);
        assertThat(bbm.drain()).isNotEmpty().allSatisfy(v -> assertThat(v.message()).contains("lacks BBML2_NOABORT"));
    }
}
