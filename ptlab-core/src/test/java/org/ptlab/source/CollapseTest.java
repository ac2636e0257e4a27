package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.MapSize;
import org.ptlab.check.CollapseAudit;
import org.ptlab.check.Invariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;
import org.ptlab.pgtable.EventLog;
import org.ptlab.run.ScenarioRunner;
import org.ptlab.scenario.Scenario;

/** The collapse primitives and variants on small fixed cases. */
class CollapseTest {
    static Kernel boot(String collapse) {
        KernelConfig c = new KernelConfig();
        c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
        c.variants = c.variants.with("collapse=" + collapse);
        return Kernel.boot(c, MemoryLayout.ofSize(4L << 30));
    }

    static List<Violation> checks(Kernel k) {
        List<Violation> v = new ArrayList<>(Invariants.check(k));
        v.addAll(CollapseAudit.drain(k));
        return v;
    }

    @Test
    void seed001ScenarioIsCaughtAndOrderAwareIsNot() {
        Path file = Path.of("..", "scenarios", "seed001-unaligned-collapse.yaml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScenarioRunner.Result bad = ScenarioRunner.run(Scenario.load(file), List.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.firstViolation()).startsWith("collapse-scope: seed001 collapsed the linear map").contains("256 of its 512 pages");
        ScenarioRunner.Result good = ScenarioRunner.run(Scenario.load(file), List.of("collapse=order-aware"), null,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(good.status()).isZero();
    }

    @Test
    void workloadScenarioRunsUnderTheCheckerAndTheScannerCollapses() {
        Path file = Path.of("..", "scenarios", "collapse-background-day.yaml");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScenarioRunner.Result r = ScenarioRunner.run(Scenario.load(file), List.of(), null, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(r.status()).as(text).isZero();
        assertThat(text).contains("workload: ").contains("modelled hours").containsPattern("collapse_scan: [1-9][0-9]* collapses");
    }

    @Test
    void seed001WarnsWhenTheFirstPageIsNotPmdAligned() {
        Kernel k = boot("seed001");
        Driver d = new Driver(k, true);
        VmStruct pad = d.vmalloc(3 * 4096L, 0, 0, false, "pad"); // pushes the next area's pages off the 2M boundary
        VmStruct a = d.vmalloc(64 * 4096L, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "cache");
        assertThat(a.pages[0] & ((2 << 20) - 1)).isNotZero();
        assertThat(d.setMemory("ro", a, 0, 64)).isZero();
        assertThat(checks(k)).extracting(Violation::invariant).containsExactly("collapse-warn");
        assertThat(d.ref.compare(5)).isEmpty();
        assertThat(pad).isNotNull();
    }

    @Test
    void orderAwareCollapsesAPmdBackedAreaBackAfterRwAndRox() {
        Kernel k = boot("order-aware");
        long[] boot = k.directMapBytes();
        long tables = k.linearTablePages();
        Driver d = new Driver(k, true);
        VmStruct a = d.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, 9, true, "execmem");
        assertThat(d.setMemory("rox", a, 0, 512)).isZero();
        assertThat(d.setMemory("rw", a, 10, 4)).isZero();
        long collapsedBefore = k.collapse.collapses[MapSize.PMD.ordinal()];
        assertThat(d.setMemory("rox", a, 10, 4)).isZero();
        // the alias and the vmalloc mapping are one PMD each again (set_memory_x of the generic
        // set_memory_rox splits the vmalloc PMD once more and it collapses again: 3)
        assertThat(k.collapse.collapses[MapSize.PMD.ordinal()] - collapsedBefore).isEqualTo(3);
        assertThat(k.directMapBytes()).isEqualTo(boot);
        assertThat(checks(k)).isEmpty();
        assertThat(d.ref.compare(5)).isEmpty();
        d.vfree(a);
        k.collapse.scan(1L << 40); // not the background variant: does nothing
        assertThat(checks(k)).isEmpty();
        assertThat(d.ref.compare(5)).isEmpty();
        assertThat(k.directMapBytes()).isEqualTo(boot);
        assertThat(k.linearTablePages()).isEqualTo(tables);
    }

    @Test
    void pmdCollapseFlushesTheWalkCacheBeforeFreeingTheTable() {
        Kernel k = boot("background");
        Driver d = new Driver(k, false);
        long pa = k.pageAlloc.allocPages(9);
        d.setValid(pa, 1, false);
        d.setValid(pa, 1, true);
        EventLog log = new EventLog(true, 1 << 16);
        k.pg.addObserver(log);
        int made = k.collapse.scan(k.collapse.linearSpan());
        k.pg.removeObserver(log);
        assertThat(made).isPositive();
        List<EventLog.Kind> kinds = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) {
            EventLog.Event e = log.get(i);
            if (e.kind() == EventLog.Kind.TLBI || e.kind() == EventLog.Kind.FREE) {
                kinds.add(e.kind());
            }
        }
        assertThat(kinds).contains(EventLog.Kind.FREE);
        int firstFree = kinds.indexOf(EventLog.Kind.FREE);
        assertThat(kinds.subList(0, firstFree)).contains(EventLog.Kind.TLBI);
        assertThat(checks(k)).isEmpty();
    }

    @Test
    void collapseIsRefusedWhenAttributesDiffer() {
        Kernel k = boot("background");
        Driver d = new Driver(k, true);
        long pa = k.pageAlloc.allocPages(9);
        d.setValid(pa + 4096, 1, false); // one invalid page in the 2M block
        k.collapse.scan(k.collapse.linearSpan());
        // the 2M stays split; contPTE groups without the invalid page are folded
        assertThat(k.directMap.bytes(MapSize.PTE)).isGreaterThanOrEqualTo(16 * 4096L);
        assertThat(checks(k)).isEmpty();
        assertThat(d.ref.compare(5)).isEmpty();
        long va = k.physToVirt(pa + 4096);
        assertThat(k.pageAttr.kernelPagePresent(pa + 4096)).isFalse();
        assertThat(Desc.valid(d.ref.get(va))).isFalse();
    }

    @Test
    void x86CollapsesTheVmallocRangeOnlyOnRox() {
        Kernel k = boot("x86");
        Driver d = new Driver(k, true);
        VmStruct a = d.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, 9, true, "execmem");
        assertThat(d.setMemory("rw", a, 0, 16)).isZero();
        assertThat(d.setMemory("ro", a, 0, 512)).isZero(); // set_memory_ro: no collapse on x86
        long pmd = k.collapse.collapses[MapSize.PMD.ordinal()];
        assertThat(pmd).isZero();
        assertThat(d.setMemory("rox", a, 0, 512)).isZero();
        assertThat(k.collapse.collapses[MapSize.PMD.ordinal()]).isEqualTo(1); // the vmalloc range, not the alias
        assertThat(checks(k)).isEmpty();
        assertThat(d.ref.compare(5)).isEmpty();
    }

    /** The hardware model (two CPUs, BBML2_NOABORT) sees no hazard in the collapses: CPU1 keeps using the range. */
    @Test
    void noHardwareHazardsWhileCpu1UsesTheCollapsedRanges() {
        for (String v : new String[] {"background", "order-aware", "x86"}) {
            Kernel k = boot(v);
            org.ptlab.hw.CoreConfig cc = org.ptlab.hw.Presets.get(org.ptlab.hw.Presets.DEFAULT);
            cc.bbml2NoAbort = true;
            org.ptlab.hw.HwModel hw = new org.ptlab.hw.HwModel(k.pg, cc, 2).attach();
            hw.setRoots(0, k.swapper);
            Driver d = new Driver(k, true);
            k.pg.cpu = 0;
            VmStruct a = d.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, 9, true, "execmem");
            long alias = k.physToVirt(a.pages[0]);
            for (int i = 0; i < 512; i += 37) {
                hw.access(1, alias + i * 4096L, org.ptlab.hw.HwModel.LOAD);
                hw.access(1, a.addr + i * 4096L, org.ptlab.hw.HwModel.LOAD);
            }
            k.pg.cpu = 0;
            assertThat(d.setMemory("rox", a, 0, 512)).isZero();
            assertThat(d.setMemory("rw", a, 100, 8)).isZero();
            for (int i = 0; i < 512; i += 13) {
                hw.access(1, alias + i * 4096L, org.ptlab.hw.HwModel.LOAD);
                hw.access(1, a.addr + i * 4096L, org.ptlab.hw.HwModel.IFETCH);
            }
            k.pg.cpu = 0;
            assertThat(d.setMemory("rox", a, 100, 8)).isZero();
            long pa = k.pageAlloc.allocPages(9);
            d.setValid(pa + 4096, 1, false);
            hw.access(1, k.physToVirt(pa) + 8192, org.ptlab.hw.HwModel.LOAD);
            k.pg.cpu = 0;
            d.setValid(pa + 4096, 1, true);
            k.collapse.scan(k.collapse.linearSpan());
            for (int i = 0; i < 512; i += 11) {
                hw.access(1, alias + i * 4096L, org.ptlab.hw.HwModel.LOAD);
                hw.access(1, a.addr + i * 4096L, org.ptlab.hw.HwModel.IFETCH);
                hw.access(1, k.physToVirt(pa) + i * 4096L, org.ptlab.hw.HwModel.LOAD);
            }
            assertThat(hw.hazards()).as("collapse=" + v).isEmpty();
            assertThat(k.collapse.log).as("collapse=" + v + " collapsed something").isNotEmpty();
            assertThat(checks(k)).isEmpty();
            assertThat(d.ref.compare(5)).isEmpty();
            hw.detach();
        }
    }
}
