package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.pgtable.Pgtable;

/**
 * Hardware rules that no kernel code path of the model exercises, on a booted linear map with
 * hand-written sequences: a TLBI counts only once its DSB completed, and CPUs other than the one
 * running a stop_machine operation are parked. The three hazards under the kernel's own
 * set_memory_ro, split_kernel_leaf_mapping and seed 001 collapse are in
 * {@code org.ptlab.run.KernelHazardTest}.
 */
class HazardTest {
    static final long RAM = MemoryLayout.DEFAULT_RAM_BASE;

    static Kernel boot(boolean blocks) {
        KernelConfig cfg = new KernelConfig();
        cfg.bbml2Override = blocks;
        return Kernel.boot(cfg, MemoryLayout.ofSize(512L << 20));
    }

    static HwModel hw(Kernel k, boolean bbml2) {
        CoreConfig c = Presets.get(Presets.DEFAULT);
        c.bbml2NoAbort = bbml2;
        HwModel hw = new HwModel(k.pg, c, 2).attach();
        hw.setRoots(0, k.swapper);
        return hw;
    }

    /** Walk swapper to the table holding va's entry at level; returns its PA. */
    static long tableAt(Kernel k, long va, int level) {
        Geometry g = k.geo;
        long t = k.swapper;
        for (int l = g.startLevel; l < level; l++) {
            long d = k.pg.read(t, g.index(l, va));
            assertThat(Desc.isTable(d)).as("%s entry of 0x%x is a table", g.levelName(l), va).isTrue();
            t = Pgtable.tablePa(d);
        }
        return t;
    }

    @Test
    void tlbiWithoutCompletingDsbStillCountsAsStale() {
        Kernel k = boot(false);
        HwModel hw = hw(k, false);
        long va = k.physToVirt(RAM + (300L << 20));
        hw.access(1, va, HwModel.STORE);
        k.pg.op("set_memory_ro", va, va + 4096, true);
        long pte = tableAt(k, va, 3);
        int idx = k.geo.index(3, va);
        long d = k.pg.read(pte, idx);
        k.pg.write(pte, idx, (d & ~Desc.WRITE) | Desc.RDONLY);
        k.pg.dsbIshst();
        k.pg.tlbi(org.ptlab.pgtable.Tlbi.VAALE1IS, va, 1, -1);
        k.pg.op("set_memory_ro", va, va + 4096, false);
        assertThat(hw.hazards()).extracting(Hazard::kind).containsExactly(Hazard.Kind.STALE_TRANSLATION);
        k.pg.dsbIsh();
        hw.clearHazards();
        assertThat(hw.checkStale(0, va, va + 4096)).isZero();
    }

    @Test
    void aStopMachineRepaintParksTheOtherCpusButMustStillFlush() {
        Kernel k = boot(true);
        HwModel hw = hw(k, false);
        long va = k.physToVirt(RAM + (256L << 20)) + 0x3000;
        hw.access(1, va, HwModel.LOAD);
        long start = va & -(1L << 30);
        k.pg.cpu = 0;
        k.pg.op("linear_map_maybe_split_to_ptes", start, start + (1L << 30), true);
        assertThat(k.split.rangeSplitToPtes(va & -(2L << 20), (va & -(2L << 20)) + (2L << 20))).isZero();
        assertThat(hw.hazards()).as("CPU1 is parked: no conflict").isEmpty();
        k.pg.op("linear_map_maybe_split_to_ptes", start, start + (1L << 30), false);
        assertThat(hw.hazards()).as("no flush, but same OA and attributes: nothing stale").isEmpty();
        // the same split outside stop_machine is a possible conflict on CPU1
        long va2 = va + (64L << 20);
        hw.access(1, va2, HwModel.LOAD);
        k.pg.op("range_split_to_ptes", va2, va2 + 4096, true);
        assertThat(k.split.rangeSplitToPtes(va2 & -(2L << 20), (va2 & -(2L << 20)) + (2L << 20))).isZero();
        k.pg.op("range_split_to_ptes", va2, va2 + 4096, false);
        assertThat(hw.hazards()).extracting(Hazard::kind).contains(Hazard.Kind.TLB_CONFLICT);
    }
}
