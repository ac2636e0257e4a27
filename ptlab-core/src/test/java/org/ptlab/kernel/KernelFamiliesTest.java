package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;
import org.ptlab.pgtable.EventLog;
import org.ptlab.pgtable.PgtableObserver;

/**
 * The families that were name-checked flags (hotplug, execmem, collapse-free, bbml2): one class per
 * behaviour, the kernel asks the selected object, and each behaviour does what its line in
 * {@code ptlab variants} says.
 */
class KernelFamiliesTest {
    static final long G = 1L << 30;

    @Test
    void theFourFamiliesAreInterfacesWithTheirSpellingsAndDefaults() {
        VariantRegistry r = VariantRegistry.builtIn();
        assertThat(r.family("hotplug").type).isEqualTo(HotplugPolicy.class);
        assertThat(r.family("execmem").type).isEqualTo(ExecmemPolicy.class);
        assertThat(r.family("collapse-free").type).isEqualTo(CollapseFreePolicy.class);
        assertThat(r.family("bbml2").type).isEqualTo(Bbml2Policy.class);
        assertThat(r.family("hotplug").members()).extracting(Variant::name).containsExactly("v7.1", "pre-7.1");
        assertThat(r.family("execmem").members()).extracting(Variant::name).containsExactly("none", "rox-cache");
        assertThat(r.family("collapse-free").members()).extracting(Variant::name).containsExactly("flush-first", "free-before-flush");
        assertThat(r.family("bbml2").members()).extracting(Variant::name).containsExactly("system", "boot-cpu");
        assertThat(r.family("hotplug").defaultName()).isEqualTo("v7.1");
        assertThat(r.family("execmem").defaultName()).isEqualTo("none");
        assertThat(r.family("collapse-free").defaultName()).isEqualTo("flush-first");
        assertThat(r.family("bbml2").defaultName()).isEqualTo("system");
    }

    @Test
    void hotplugBehavioursDecideTheGuardAndTheFlushes() {
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(4 * G));
        assertThat(k.hotplug.policy).isInstanceOf(HotplugPolicy.V71.class);
        assertThat(k.hotplug.addMemory(0x2_0000_0000L, G)).isZero(); // one PUD block
        long vs = k.physToVirt(0x2_0000_0000L);
        long mid = vs + (128L << 20);
        assertThat(new HotplugPolicy.V71().refusesOffline(k.hotplug, vs, mid)).isTrue();
        assertThat(new HotplugPolicy.V71().refusesOffline(k.hotplug, vs, vs + G)).isFalse();
        assertThat(new HotplugPolicy.Pre71().refusesOffline(k.hotplug, vs, mid)).isFalse();
        // v7.1: one range flush per removal; pre-7.1: one per cleared leaf
        assertThat(tlbiOf(k, () -> new HotplugPolicy.V71().leafCleared(k, vs))).isZero();
        assertThat(tlbiOf(k, () -> new HotplugPolicy.V71().rangeCleared(k, vs, vs + G))).isPositive();
        assertThat(tlbiOf(k, () -> new HotplugPolicy.Pre71().leafCleared(k, vs))).isPositive();
        assertThat(tlbiOf(k, () -> new HotplugPolicy.Pre71().rangeCleared(k, vs, vs + G))).isZero();
        KernelConfig p = Walks.bbml2(Granule.G4K, 48).withVariant("hotplug=pre-7.1");
        assertThat(Kernel.boot(p, MemoryLayout.ofSize(4 * G)).hotplug.policy).isInstanceOf(HotplugPolicy.Pre71.class);
    }

    private static long tlbiOf(Kernel k, Runnable r) {
        EventLog log = new EventLog();
        k.pg.addObserver(log);
        k.pg.op("probe", 0, 0, true);
        r.run();
        k.pg.op("probe", 0, 0, false);
        k.pg.removeObserver(log);
        EventLog.OpStats s = log.stats().get("probe");
        return s == null ? 0 : s.tlbi;
    }

    @Test
    void execmemRoxCacheAcceptsHugeVmapAreas() {
        assertThat(new ExecmemPolicy.None().allowsHugeVmapAreas()).isFalse();
        assertThat(new ExecmemPolicy.RoxCache().allowsHugeVmapAreas()).isTrue();
        for (String e : List.of("none", "rox-cache")) {
            KernelConfig c = Walks.bbml2(Granule.G4K, 48).withVariant("execmem=" + e);
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(G));
            VmStruct a = k.vmalloc.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, 9, true, "huge");
            int rc = k.pageAttr.setMemoryRo(a.addr, 1);
            assertThat(rc).as(e).isEqualTo(e.equals("none") ? -Errno.EINVAL : 0);
        }
    }

    @Test
    void collapseFreeBehavioursOrderTheFlushAndTheFree() {
        for (CollapseFreePolicy p : List.of(new CollapseFreePolicy.FlushFirst(), new CollapseFreePolicy.FreeBeforeFlush())) {
            Kernel k = Kernel.boot(Walks.bbml2(Granule.G4K, 48), MemoryLayout.ofSize(G));
            long table = k.pg.allocTable(3, k.linearOwner);
            StringBuilder order = new StringBuilder();
            PgtableObserver o = new PgtableObserver() {
                @Override
                public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long va, long pages, int asid) {
                    order.append("tlbi ");
                }

                @Override
                public void onTableFree(int cpu, long pa, int level, int owner) {
                    if (pa == table) {
                        order.append("free ");
                    }
                }
            };
            k.pg.addObserver(o);
            long before = k.collapse.tablesFreed;
            p.retire(k.collapse, table, k.geo.pageOffset);
            k.pg.removeObserver(o);
            assertThat(k.collapse.tablesFreed).isEqualTo(before + 1);
            assertThat(order.toString().trim()).as(p.name())
                    .isEqualTo(p instanceof CollapseFreePolicy.FlushFirst ? "tlbi free" : "free tlbi");
        }
    }

    @Test
    void bbml2BehavioursChooseWhoseCheckDecides() {
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        c.cpus = new java.util.ArrayList<>(List.of(Cpu.parse("neoverse-v3"), Cpu.parse("cortex-a57")));
        assertThat(new Bbml2Policy.SystemWide().systemHasBbml2(c)).isFalse();
        assertThat(new Bbml2Policy.BootCpu().systemHasBbml2(c)).isTrue();
        assertThat(Kernel.boot(c, MemoryLayout.ofSize(G)).systemBbml2).isFalse();
        assertThat(Kernel.boot(c.withVariant("bbml2=boot-cpu"), MemoryLayout.ofSize(G)).systemBbml2).isTrue();
    }

    /** A user's hotplug behaviour (as a jar's ServiceLoader would add it): no guard, and never a flush. */
    public static final class NoGuardNoFlush implements HotplugPolicy {
        @Override
        public String name() {
            return "mine";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public boolean refusesOffline(Hotplug h, long vs, long ve) {
            return false;
        }

        @Override
        public void leafCleared(Kernel k, long va) {
        }

        @Override
        public void rangeCleared(Kernel k, long start, long end) {
        }
    }

    @Test
    void aUsersBehaviourOfANewFamilyJoinsAndTheKernelAsksIt() {
        VariantRegistry r = VariantRegistry.builtIn().add(new NoGuardNoFlush(), false);
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        c.variants = Variants.none(r).with("hotplug=mine");
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(4 * G));
        assertThat(k.hotplug.policy).isInstanceOf(NoGuardNoFlush.class);
        assertThat(k.hotplug.addMemory(0x2_0000_0000L, G)).isZero(); // one PUD block
        // v7.1 refuses this (inside the 1G block); the user's behaviour lets it through
        assertThat(k.hotplug.offlinePages(0x2_0000_0000L, c.memoryBlockSize())).isZero();
    }
}
