package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.pgtable.Pgtable;

/**
 * The three hazard checks against minimal kernel-shaped sequences issued through Pgtable, TlbFlush
 * and Split on a booted linear map, each with the step that makes it correct and without it.
 * (pageattr and collapse proper are written elsewhere; these sequences can be rewired to them.)
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

    /** set_memory_ro() of one PTE-mapped page, reduced to its descriptor write and (optionally) its flush. */
    static void setMemoryRo(Kernel k, long va, boolean flush) {
        k.pg.cpu = 0;
        k.pg.op("set_memory_ro", va, va + k.geo.pageSize, true);
        long pte = tableAt(k, va, 3);
        int idx = k.geo.index(3, va);
        long d = k.pg.read(pte, idx);
        k.pg.write(pte, idx, (d & ~Desc.WRITE) | Desc.RDONLY);
        if (flush) {
            k.tlb.flushTlbKernelRange(va, va + k.geo.pageSize);
        }
        k.pg.op("set_memory_ro", va, va + k.geo.pageSize, false);
    }

    @Test
    void setMemoryRoWithoutFlushLeavesAStaleWritableTranslationOnAnotherCpu() {
        Kernel k = boot(false);
        HwModel hw = hw(k, false);
        long va = k.physToVirt(RAM + (256L << 20));
        assertThat(hw.access(1, va, HwModel.STORE)).isEqualTo(RAM + (256L << 20));
        setMemoryRo(k, va, false);
        List<Hazard> hz = hw.hazards();
        assertThat(hz).hasSize(1);
        Hazard h = hz.get(0);
        assertThat(h.kind()).isEqualTo(Hazard.Kind.STALE_TRANSLATION);
        assertThat(h.cpu()).isEqualTo(1);
        assertThat(h.opCpu()).isEqualTo(0);
        assertThat(h.op()).isEqualTo("set_memory_ro");
        assertThat(h.va()).isEqualTo(va);
        assertThat(h.detail()).contains("stale writable translation");
        // and CPU1 really can still write through it
        assertThat(hw.access(1, va, HwModel.STORE)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void setMemoryRoWithFlushIsClean() {
        Kernel k = boot(false);
        HwModel hw = hw(k, false);
        long va = k.physToVirt(RAM + (256L << 20));
        hw.access(1, va, HwModel.STORE);
        hw.access(0, va, HwModel.LOAD);
        setMemoryRo(k, va, true);
        assertThat(hw.hazards()).isEmpty();
        assertThat(hw.access(1, va, HwModel.STORE)).isEqualTo(-1);
        assertThat(hw.lastFault).isEqualTo(2);
        assertThat(hw.access(1, va, HwModel.LOAD)).isEqualTo(RAM + (256L << 20));
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

    /** split_kernel_leaf_mapping() of [va, va + 4K) on a block-mapped linear map: live, no TLBI. */
    static void splitLive(Kernel k, long va) {
        k.pg.cpu = 0;
        k.pg.op("split_kernel_leaf_mapping", va, va + 4096, true);
        k.pg.lock(k.pgtableSplitLock);
        assertThat(k.split.splitAt(va)).isZero();
        assertThat(k.split.splitAt(va + 4096)).isZero();
        k.pg.unlock(k.pgtableSplitLock);
        k.pg.op("split_kernel_leaf_mapping", va, va + 4096, false);
    }

    @Test
    void livePmdToTableReplacementWithoutBbml2IsAPossibleTlbConflict() {
        Kernel k = boot(true);
        HwModel hw = hw(k, false);
        long va = k.physToVirt(RAM + (256L << 20)) + 0x3000;
        long pmd = tableAt(k, va, 2);
        assertThat(Desc.isLeaf(2, k.pg.peek(pmd, k.geo.index(2, va)))).as("block mapped").isTrue();
        hw.access(1, va, HwModel.LOAD);
        splitLive(k, va);
        assertThat(hw.hazards()).isNotEmpty();
        assertThat(hw.hazards()).allMatch(h -> h.kind() == Hazard.Kind.TLB_CONFLICT && h.cpu() == 1);
        assertThat(hw.hazards().get(0).op()).isEqualTo("split_kernel_leaf_mapping");
        assertThat(hw.hazards().get(0).toString()).contains("without break-before-make").contains("CPU1");
    }

    @Test
    void theSameSplitWithBbml2NoAbortPasses() {
        Kernel k = boot(true);
        HwModel hw = hw(k, true);
        long va = k.physToVirt(RAM + (256L << 20)) + 0x3000;
        hw.access(1, va, HwModel.LOAD);
        hw.access(0, va + (1 << 20), HwModel.STORE);
        splitLive(k, va);
        hw.cpu(1).tlbs[0].clear();
        hw.access(1, va, HwModel.LOAD);
        hw.access(1, va + 4096, HwModel.STORE);
        assertThat(hw.hazards()).isEmpty();
    }

    /** A collapse of the PTE table under a 2M range into a PMD block (seed 001 shape), with or without the pgtable flush. */
    static void collapse(Kernel k, long start, boolean flushPgtable) {
        k.pg.cpu = 0;
        Geometry g = k.geo;
        k.pg.op("collapse_pmd", start, start + g.entrySize(2), true);
        long pmdTable = tableAt(k, start, 2);
        int idx = g.index(2, start);
        long pte = Pgtable.tablePa(k.pg.read(pmdTable, idx));
        long first = k.pg.read(pte, 0);
        for (int i = 1; i < g.ptrsPerTable; i++) {
            assertThat(k.pg.read(pte, i)).isEqualTo(first + ((long) i << g.pageShift));
        }
        long block = Desc.mkSect(Desc.pgprot(first) & ~Desc.CONT) | (first & g.oaMask);
        k.pg.write(pmdTable, idx, block);
        if (flushPgtable) {
            k.tlb.flushTlbKernelPgtable(start);
        }
        k.pg.freeTable(pte);
        k.pg.op("collapse_pmd", start, start + g.entrySize(2), false);
    }

    @Test
    void collapseFreeingThePteTableWithoutThePgtableFlushIsAFreedTableWalk() {
        Kernel k = boot(false);
        HwModel hw = hw(k, true);
        long start = k.physToVirt(RAM + (256L << 20));
        hw.access(1, start + 0x5000, HwModel.LOAD);
        collapse(k, start, false);
        assertThat(hw.hazards()).extracting(Hazard::kind).containsExactly(Hazard.Kind.FREED_TABLE_WALK);
        Hazard h = hw.hazards().get(0);
        assertThat(h.cpu()).isEqualTo(1);
        assertThat(h.op()).isEqualTo("collapse_pmd");
        assertThat(h.detail()).contains("PTE table page").contains("__flush_tlb_kernel_pgtable");
    }

    @Test
    void collapseWithThePgtableFlushIsClean() {
        Kernel k = boot(false);
        HwModel hw = hw(k, true);
        long start = k.physToVirt(RAM + (256L << 20));
        hw.access(1, start + 0x5000, HwModel.LOAD);
        hw.access(0, start + 0x7000, HwModel.LOAD);
        collapse(k, start, true);
        assertThat(hw.hazards()).isEmpty();
        hw.cpu(1).tlbs[0].clear();
        hw.cpu(1).tlbs[1].clear();
        assertThat(hw.access(1, start + 0x9000, HwModel.LOAD)).isEqualTo(RAM + (256L << 20) + 0x9000);
        assertThat(hw.cpu(1).stats.walkRefs).isGreaterThan(0);
    }

    @Test
    void collapseWithoutBbml2OverLiveEntriesIsAlsoAConflict() {
        Kernel k = boot(false);
        HwModel hw = hw(k, false);
        long start = k.physToVirt(RAM + (256L << 20));
        hw.access(1, start + 0x5000, HwModel.LOAD);
        collapse(k, start, true);
        assertThat(hw.hazards()).extracting(Hazard::kind).containsExactly(Hazard.Kind.TLB_CONFLICT);
        // CPU1 walks another page of the range: a 2M entry now sits beside its 4K entry
        hw.clearHazards();
        hw.access(1, start + 0x9000, HwModel.LOAD);
        hw.access(1, start + 0x5000, HwModel.LOAD);
        assertThat(hw.hazards()).extracting(Hazard::kind).containsOnly(Hazard.Kind.TLB_CONFLICT).isNotEmpty();
        assertThat(hw.hazards().get(0).detail()).contains("filling a pmd (2M) entry");
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
