package org.ptlab.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.hw.Hazard;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.Presets;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;

/**
 * The hardware model's three hazard checks under the kernel model's own code (issue 4's
 * acceptance): {@code PageAttr}'s set_memory_ro, {@code Split}'s split_kernel_leaf_mapping and
 * {@code Collapse}'s seed 001 try_collapse_kernel_pmd, each run on CPU0 of a booted kernel while
 * CPU1 of {@link KernelHw#attach} (BBML2_NOABORT per MIDR, as the kernel decides it) uses the
 * range; each known-bad variant is caught and its correct counterpart is clean.
 */
class KernelHazardTest {
    static final long RAM = MemoryLayout.DEFAULT_RAM_BASE;
    /** CPU types: neoverse-v3 has BBML2_NOABORT by upstream's MIDR list, neoverse-n1 has not. */
    static final String BBML2 = "neoverse-v3";
    static final String NO_BBML2 = "neoverse-n1";

    static Kernel boot(String cpu0, String cpu1, String... variants) {
        KernelConfig c = new KernelConfig();
        c.cpus = new ArrayList<>(List.of(Cpu.parse(cpu0), Cpu.parse(cpu1)));
        for (String v : variants) {
            c.variants = c.variants.with(v);
        }
        return Kernel.boot(c, MemoryLayout.ofSize(512L << 20));
    }

    static HwModel hw(Kernel k) {
        HwModel hw = KernelHw.attach(k, Presets.get(Presets.DEFAULT));
        assertThat(hw.cpuCount()).isEqualTo(2);
        assertThat(hw.cpu(0).cfg.bbml2NoAbort).isEqualTo(k.cfg.cpuHasBbml2(k.cfg.cpus.get(0)));
        assertThat(hw.cpu(1).cfg.bbml2NoAbort).isEqualTo(k.cfg.cpuHasBbml2(k.cfg.cpus.get(1)));
        return hw;
    }

    /** One VM_ALLOC page backed by the page at pa (so its linear alias is known). */
    static VmStruct onePage(Kernel k, long pa) {
        VmStruct a = k.vmalloc.vmallocPages(new long[] {pa}, 0, false, "test");
        assertThat(a).isNotNull();
        return a;
    }

    /** {level, descriptor} of the leaf mapping va in swapper_pg_dir (level 2 = PMD block, 3 = PTE). */
    static long[] leaf(Kernel k, long va) {
        Geometry g = k.geo;
        long t = k.swapper;
        for (int l = g.startLevel; ; l++) {
            long d = k.pg.peek(t, g.index(l, va));
            if (l == 3 || !Desc.isTable(d)) {
                return new long[] {l, d};
            }
            t = Pgtable.tablePa(d);
        }
    }

    /**
     * Run r whenever a CPU begins (begin true) or ends the named kernel operation: puts CPU1's
     * access into a window of CPU0's operation that a sequential test cannot otherwise reach.
     */
    static void atOp(Kernel k, String name, boolean begin, Runnable r) {
        k.pg.addObserver(new PgtableObserver() {
            @Override
            public void onOp(int cpu, String n, long a0, long a1, boolean b) {
                if (b == begin && n.equals(name)) {
                    r.run();
                }
            }
        });
    }

    // ------------------------------------------------------------------ stale translation

    @Test
    void setMemoryRoWithoutTheFlushLeavesAStaleWritableTranslationOnCpu1() {
        Kernel k = boot(BBML2, BBML2, "pageattr=no-flush");
        HwModel hw = hw(k);
        long pa = RAM + (256L << 20);
        VmStruct a = onePage(k, pa);
        long alias = k.physToVirt(pa);
        assertThat(hw.access(1, a.addr, HwModel.STORE)).isEqualTo(pa);
        assertThat(hw.access(1, alias, HwModel.STORE)).isEqualTo(pa);
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();

        // two stale writable entries on CPU1: the area's, and its linear alias's (the alias is
        // not in set_memory_ro's own range; the check covers every descriptor the call rewrote)
        List<Hazard> hz = hw.hazards();
        assertThat(hz).as("%s", hz).hasSize(2);
        assertThat(hz).extracting(Hazard::va).containsExactly(a.addr, alias);
        for (Hazard h : hz) {
            assertThat(h.kind()).isEqualTo(Hazard.Kind.STALE_TRANSLATION);
            assertThat(h.op()).isEqualTo("set_memory_ro");
            assertThat(h.opCpu()).isZero();
            assertThat(h.cpu()).isEqualTo(1);
            assertThat(h.toString()).contains("set_memory_ro").contains("stale writable translation");
        }
        // the tables say read-only, yet CPU1 can still store through both the area and its alias
        assertThat(leaf(k, a.addr)[1] & Desc.RDONLY).isNotZero();
        assertThat(leaf(k, alias)[1] & Desc.RDONLY).isNotZero();
        assertThat(hw.access(1, a.addr, HwModel.STORE)).isEqualTo(pa);
        assertThat(hw.access(1, alias, HwModel.STORE)).isEqualTo(pa);
    }

    @Test
    void setMemoryRoWithTheFlushIsCleanAndCpu1sStoreFaults() {
        Kernel k = boot(BBML2, BBML2);
        assertThat(k.cfg.variants.get("pageattr")).isEqualTo("upstream");
        HwModel hw = hw(k);
        long pa = RAM + (256L << 20);
        VmStruct a = onePage(k, pa);
        long alias = k.physToVirt(pa);
        hw.access(1, a.addr, HwModel.STORE);
        hw.access(1, alias, HwModel.STORE);
        hw.access(0, a.addr, HwModel.LOAD);
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();
        assertThat(hw.hazards()).isEmpty();
        assertThat(hw.access(1, a.addr, HwModel.STORE)).isEqualTo(-1);
        assertThat(hw.lastFault).as("permission fault").isEqualTo(2);
        assertThat(hw.access(1, alias, HwModel.STORE)).isEqualTo(-1);
        assertThat(hw.lastFault).isEqualTo(2);
        assertThat(hw.access(1, a.addr, HwModel.LOAD)).isEqualTo(pa);
    }

    // ------------------------------------------------------------------ TLB conflict

    @Test
    void upstreamNeverSplitsLiveWhenASecondaryLacksBbml2() {
        // the boot CPU has BBML2_NOABORT, CPU1 not: the boot repaints to PTEs, nothing splits live
        Kernel k = boot(BBML2, NO_BBML2);
        assertThat(k.systemBbml2).isFalse();
        assertThat(k.repaintedAtBoot).isTrue();
        HwModel hw = hw(k);
        long pa = RAM + (256L << 20) + 0x3000;
        assertThat(leaf(k, k.physToVirt(pa))[0]).isEqualTo(3);
        hw.access(1, k.physToVirt(pa), HwModel.LOAD);
        VmStruct a = onePage(k, pa);
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();
        assertThat(hw.hazards()).isEmpty();
    }

    /**
     * seed 003 v2's decision (bbml2=boot-cpu): the kernel trusts the boot CPU's BBML2_NOABORT,
     * keeps the block-mapped linear map and splits it live under set_memory_ro while CPU1 (a
     * Neoverse N1, no BBML2_NOABORT) caches the block.
     */
    @Test
    void liveSplitOfABlockCpu1CachesWithoutBbml2IsATlbConflict() {
        Kernel k = boot(BBML2, NO_BBML2, "bbml2=boot-cpu");
        assertThat(k.systemBbml2).isTrue();
        assertThat(k.repaintedAtBoot).isFalse();
        HwModel hw = hw(k);
        assertThat(hw.cpu(1).cfg.bbml2NoAbort).isFalse();
        long pa = RAM + (256L << 20) + 0x3000;
        long alias = k.physToVirt(pa);
        assertThat(leaf(k, alias)[0]).as("block mapped").isEqualTo(2);
        assertThat(hw.access(1, alias, HwModel.LOAD)).isEqualTo(pa);
        VmStruct a = onePage(k, pa);
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();
        assertThat(leaf(k, alias)[0]).as("split to PTEs").isEqualTo(3);

        List<Hazard> hz = hw.hazards();
        assertThat(hz).isNotEmpty().allMatch(h -> h.kind() == Hazard.Kind.TLB_CONFLICT && h.cpu() == 1 && h.opCpu() == 0);
        assertThat(hz).extracting(Hazard::op).containsOnly("split_kernel_leaf_mapping");
        assertThat(hz).extracting(Hazard::detail).anyMatch(d -> d.contains("live change pmd (2M) -> table"));
        assertThat(hz.get(0).toString()).contains("without break-before-make").contains("no BBML2_NOABORT");
    }

    @Test
    void theSameLiveSplitWithBbml2NoAbortIsClean() {
        Kernel k = boot(BBML2, BBML2);
        HwModel hw = hw(k);
        long pa = RAM + (256L << 20) + 0x3000;
        long alias = k.physToVirt(pa);
        assertThat(leaf(k, alias)[0]).isEqualTo(2);
        hw.access(1, alias, HwModel.LOAD);
        hw.access(0, alias + (1 << 20), HwModel.STORE);
        VmStruct a = onePage(k, pa);
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isZero();
        assertThat(leaf(k, alias)[0]).isEqualTo(3);
        hw.access(1, alias + 0x10000, HwModel.LOAD);
        hw.access(1, alias, HwModel.LOAD);
        assertThat(hw.hazards()).isEmpty();
    }

    // ------------------------------------------------------------------ freed-table walk

    /**
     * A 2M VM_ALLOW_HUGE_VMAP area whose linear alias a set_memory_rw already split to PTEs, with
     * CPU1 holding a walk-cache entry for the alias's PTE table; then set_memory_ro on CPU0, whose
     * collapse=seed001 hook collapses the alias back into a PMD block and frees the PTE table.
     */
    static HwModel seed001Collapse(Kernel k) {
        return seed001Collapse(k, null);
    }

    /**
     * With window non-null, CPU1 also loads alias + 0x7000 as CPU0 enters try_collapse_kernel_pmd
     * (after the alias loop's flushes) and alias + 0x9000 as CPU0 leaves it (before the flush of
     * the vmalloc range); window gets the two PAs.
     */
    static HwModel seed001Collapse(Kernel k, long[] window) {
        HwModel hw = hw(k);
        VmStruct a = k.vmalloc.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP, 9, true, "execmem");
        assertThat(a).isNotNull();
        long alias = k.physToVirt(a.pages[0]);
        if (window != null) {
            atOp(k, "try_collapse_kernel_pmd", true, () -> window[0] = hw.access(1, alias + 0x7000, HwModel.LOAD));
            atOp(k, "try_collapse_kernel_pmd", false, () -> window[1] = hw.access(1, alias + 0x9000, HwModel.LOAD));
        }
        k.pg.cpu = 0;
        assertThat(k.pageAttr.setMemoryRw(a.addr, 512)).isZero();
        assertThat(leaf(k, alias)[0]).as("alias split by the rw change").isEqualTo(3);
        assertThat(hw.access(1, alias + 0x5000, HwModel.LOAD)).isEqualTo(a.pages[0] + 0x5000);
        k.pg.cpu = 0;
        long freed = k.collapse.tablesFreed;
        assertThat(k.pageAttr.setMemoryRo(a.addr, 512)).isZero();
        assertThat(k.collapse.tablesFreed).as("seed001 collapsed the alias").isEqualTo(freed + 1);
        assertThat(leaf(k, alias)[0]).isEqualTo(2);
        return hw;
    }

    @Test
    void seed001CollapseFreeingThePteTableBeforeThePgtableFlushIsAFreedTableWalk() {
        Kernel k = boot(BBML2, BBML2, "collapse=seed001", "collapse-free=free-before-flush");
        HwModel hw = seed001Collapse(k);
        List<Hazard> hz = hw.hazards();
        assertThat(hz).extracting(Hazard::kind).as("%s", hz).containsExactly(Hazard.Kind.FREED_TABLE_WALK);
        Hazard h = hz.get(0);
        assertThat(h.cpu()).isEqualTo(1);
        assertThat(h.opCpu()).isZero();
        assertThat(h.op()).isEqualTo("try_collapse_kernel_pmd");
        assertThat(h.detail()).contains("PTE table page").contains("pointing to").contains("__flush_tlb_kernel_pgtable");
    }

    @Test
    void seed001CollapseWithThePgtableFlushFirstIsCleanAndCpu1WalksTheBlock() {
        Kernel k = boot(BBML2, BBML2, "collapse=seed001");
        assertThat(k.cfg.variants.get("collapse-free")).isEqualTo("flush-first");
        HwModel hw = seed001Collapse(k);
        assertThat(hw.hazards()).isEmpty();
        VmStruct a = k.vmalloc.areas().iterator().next();
        long alias = k.physToVirt(a.pages[0]);
        long walks = hw.cpu(1).stats.walkRefs;
        assertThat(hw.access(1, alias + 0x9000, HwModel.LOAD)).isEqualTo(a.pages[0] + 0x9000);
        assertThat(hw.cpu(1).stats.walkRefs).as("CPU1 walked the new block").isGreaterThan(walks);
        assertThat(hw.access(1, alias + 0x9000, HwModel.STORE)).as("the block is read-only").isEqualTo(-1);
        assertThat(hw.hazards()).isEmpty();
    }

    /**
     * The same seed 001 collapse on a system trusting the boot CPU (CPU1 lacks BBML2_NOABORT), with
     * CPU1 using the alias in the collapse's window: the table -> block write is live under CPU1's
     * 4K entry (possible conflict), and CPU1's next walk fills a 2M entry beside that 4K entry
     * (definite conflict). The flush-first free keeps the walk cache clean.
     */
    @Test
    void seed001CollapseOverLiveEntriesWithoutBbml2IsATlbConflict() {
        Kernel k = boot(BBML2, NO_BBML2, "bbml2=boot-cpu", "collapse=seed001");
        long[] window = new long[2];
        HwModel hw = seed001Collapse(k, window);
        VmStruct a = k.vmalloc.areas().iterator().next();
        assertThat(window).containsExactly(a.pages[0] + 0x7000, a.pages[0] + 0x9000);
        List<Hazard> hz = hw.hazards();
        assertThat(hz).isNotEmpty().extracting(Hazard::kind).containsOnly(Hazard.Kind.TLB_CONFLICT);
        assertThat(hz).filteredOn(h -> "try_collapse_kernel_pmd".equals(h.op()))
                .extracting(Hazard::detail).anyMatch(d -> d.contains("live change table -> pmd (2M)"));
        assertThat(hz).extracting(Hazard::detail).anyMatch(d -> d.contains("filling a pmd (2M) entry") && d.contains("TLB conflict abort"));
    }
}
