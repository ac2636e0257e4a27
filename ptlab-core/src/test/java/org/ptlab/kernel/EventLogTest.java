package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.EventLog;

class EventLogTest {
    @Test
    void recordsMaintenancePerOperationAndReplaysIdentically() {
        Kernel k = Kernel.boot(Walks.bbml2(Granule.G4K, 48), MemoryLayout.ofSize(4L << 30));
        EventLog log = new EventLog(true, 1 << 20);
        k.pg.addObserver(log);
        VmStruct a = k.vmalloc.vmalloc(16 << 10, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "m");
        assertThat(k.pageAttr.setMemoryRo(a.addr, 4)).isZero();
        EventLog.OpStats ro = log.stats().get("set_memory_ro");
        EventLog.OpStats split = log.stats().get("split_kernel_leaf_mapping");
        assertThat(ro.calls).isEqualTo(1);
        // one split per alias page and one for the vmalloc range; the splits themselves never TLBI
        assertThat(split.calls).isEqualTo(5);
        assertThat(split.tlbi).isZero();
        assertThat(split.allocs).isPositive();
        assertThat(ro.allocs).isEqualTo(split.allocs);
        // four alias flushes of one page and one of the vmalloc range (4 pages), each dsb ishst; tlbi; dsb ish; isb
        assertThat(ro.tlbi).isEqualTo(4 + 4);
        assertThat(ro.barriers[Barrier.DSB_ISH.ordinal()]).isEqualTo(5);
        assertThat(log.report()).contains("set_memory_ro").contains("split_kernel_leaf_mapping");
        EventLog copy = new EventLog(true, 1 << 20);
        log.replay(copy);
        assertThat(copy.size()).isEqualTo(log.size());
        for (int i = 0; i < log.size(); i++) {
            assertThat(copy.get(i)).isEqualTo(log.get(i));
        }
        assertThat(copy.stats().get("set_memory_ro").toString()).isEqualTo(ro.toString());
    }
}
