package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Invariants;
import org.ptlab.pgtable.EventLog;

class HotplugTest {
    static final long G = 1L << 30;

    static Kernel boot(KernelConfig c) {
        return Kernel.boot(c, MemoryLayout.ofSize(4 * G));
    }

    @Test
    void addThenRemoveRestoresCountersAndTables() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48));
        long[] dm0 = k.directMapBytes();
        long tables0 = k.linearTablePages();
        long start = 0x2_0000_0000L + (128L << 20); // not 1G aligned: PMD blocks and CONT_PMD groups
        assertThat(k.hotplug.addMemory(start, 3 * G)).isZero();
        assertThat(Invariants.check(k)).isEmpty();
        assertThat(k.directMap.bytes(MapSize.PUD)).isGreaterThan(dm0[MapSize.PUD.ordinal()]);
        assertThat(k.linearTablePages()).isGreaterThan(tables0);
        // a page allocated from the new memory keeps it online
        assertThat(k.pageAlloc.takeRange(start + G, start + G + 4096)).isTrue();
        assertThat(k.hotplug.offlinePages(start, 3 * G)).isEqualTo(-Errno.EBUSY);
        k.pageAlloc.freePages(start + G, 0);
        EventLog log = new EventLog();
        k.pg.addObserver(log);
        assertThat(k.hotplug.removeMemory(start, 3 * G)).isZero();
        assertThat(Invariants.check(k)).isEmpty();
        assertThat(k.directMapBytes()).containsExactly(dm0);
        assertThat(k.linearTablePages()).isEqualTo(tables0);
        EventLog.OpStats rm = log.stats().get("arch_remove_memory");
        assertThat(rm.frees).isPositive();
        // every freed table was preceded by __flush_tlb_kernel_pgtable (a VAAE1IS), v7.1 adds one range flush
        assertThat(rm.tlbi).isGreaterThanOrEqualTo(rm.frees + 1);
    }

    @Test
    void bootMemoryAndPartialLeavesAreRefusedOfflineAndUnplugAreDistinct() {
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        Kernel k = boot(c);
        long bs = c.memoryBlockSize();
        assertThat(k.hotplug.offlinePages(0x4000_0000L, bs)).isEqualTo(-Errno.EPERM);
        assertThat(k.hotplug.addMemory(0x2_0000_0000L, G)).isZero(); // one PUD block
        assertThat(k.hotplug.offlinePages(0x2_0000_0000L, bs)).isEqualTo(-Errno.EPERM); // inside the 1G block
        assertThat(k.hotplug.archRemoveMemory(0x2_0000_0000L, G)).isEqualTo(-Errno.EBUSY); // not offline
        assertThat(k.hotplug.offlinePages(0x2_0000_0000L, G)).isZero();
        assertThat(k.hotplug.state(0x2_0000_0000L)).isEqualTo(Hotplug.State.OFFLINE);
        assertThat(Walks.leaf(k, k.physToVirt(0x2_0000_0000L))).isNotNull(); // offline keeps the mapping
        assertThat(k.hotplug.onlinePages(0x2_0000_0000L, G)).isZero();
        assertThat(k.hotplug.removeMemory(0x2_0000_0000L, G)).isZero();
        assertThat(Walks.leaf(k, k.physToVirt(0x2_0000_0000L))).isNull();
        assertThat(k.hotplug.addMemory(0x2_0000_0000L + 4096, bs)).isEqualTo(-Errno.EINVAL);
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void pre71ClearsAWholeBlockUnderAPartialRemoval() {
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        c.variants.select("hotplug=pre-7.1");
        Kernel k = boot(c);
        assertThat(k.hotplug.addMemory(0x2_0000_0000L, G)).isZero();
        assertThat(k.hotplug.removeMemory(0x2_0000_0000L, 128L << 20)).isZero();
        // the whole 1G PUD block went, although 896M of it are still online
        assertThat(Walks.leaf(k, k.physToVirt(0x2_0000_0000L + (512L << 20)))).isNull();
        assertThat(k.hotplug.state(0x2_0000_0000L + (512L << 20))).isEqualTo(Hotplug.State.ONLINE);
        assertThat(Invariants.check(k)).isEmpty(); // the counters stay exact; the hazard is the unmapped online memory
    }

    @Test
    void enomemDuringAddLeavesNothingBehind() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48));
        long[] dm0 = k.directMapBytes();
        long tables0 = k.linearTablePages();
        for (int n = 1; n < 20; n++) {
            k.pg.failNthAllocation(n);
            int rc = k.hotplug.addMemory(0x2_0000_0000L + (128L << 20), G);
            k.pg.failNthAllocation(0);
            assertThat(Invariants.check(k)).isEmpty();
            if (rc == 0) {
                assertThat(k.hotplug.removeMemory(0x2_0000_0000L + (128L << 20), G)).isZero();
                assertThat(k.directMapBytes()).containsExactly(dm0);
                return;
            }
            assertThat(rc).isEqualTo(-Errno.ENOMEM);
            assertThat(k.directMapBytes()).containsExactly(dm0);
            assertThat(k.linearTablePages()).isEqualTo(tables0);
            assertThat(k.hotplug.state(0x2_0000_0000L + (128L << 20))).isNull();
        }
        throw new AssertionError("add never succeeded");
    }

    @Test
    void v7AccountingUnderflowsOnPartialContPmdRemovalExactDoesNot() {
        for (String acct : List.of("exact", "seed000-v7")) {
            KernelConfig c = Walks.bbml2(Granule.G64K, 48);
            c.variants.select("hotplug=pre-7.1");
            c.variants.select("account=" + acct);
            MemoryLayout m = new MemoryLayout().addMemory(0x4_0000_0000L, 0x4_0000_0000L + 4 * G).defaultImage();
            Kernel k = Kernel.boot(c, m);
            assertThat(k.hotplug.addMemory(0x8_0000_0000L, 16 * G)).isZero();
            long cont0 = k.directMap.bytes(MapSize.CONT_PMD);
            assertThat(cont0).isEqualTo(16 * G);
            assertThat(k.hotplug.removeMemory(0x8_0000_0000L, 512L << 20)).isZero();
            assertThat(k.hotplug.removeMemory(0x8_0000_0000L + (512L << 20), 512L << 20)).isZero();
            if (acct.equals("exact")) {
                assertThat(k.directMap.bytes(MapSize.CONT_PMD)).isEqualTo(15 * G);
            } else {
                assertThat(k.directMap.bytes(MapSize.CONT_PMD)).isNegative();
                assertThat(Invariants.check(k)).anyMatch(v -> v.message().contains("DirectMap16G counter underflowed"));
            }
            // pre-7.1 leaves the rest of the group with CONT: the checker sees the stale bits
            assertThat(Invariants.check(k)).anyMatch(v -> v.invariant().equals("cont-group"));
        }
    }
}
