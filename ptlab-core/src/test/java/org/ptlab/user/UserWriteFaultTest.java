package org.ptlab.user;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.Presets;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;

/** The write fault on a clean writable PFN-map leaf (no hardware dirty-bit management). */
class UserWriteFaultTest {
    static final long M2 = 2L << 20;
    static final long DEV = 0x80_0000_0000L;

    final Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 64);

    UserSpace space(boolean pmd) {
        UserConfig c = new UserConfig();
        c.pmdPfnmap = pmd;
        c.pudPfnmap = false;
        return new UserSpace(pg, new TlbFlush(pg, false), c);
    }

    long leaf(Mm mm, long va, int level) {
        long table = mm.pgd;
        for (int l = pg.geo.startLevel; l < level; l++) {
            table = Pgtable.tablePa(pg.peek(table, pg.geo.index(l, va)));
        }
        return pg.peek(table, pg.geo.index(level, va));
    }

    @Test
    void firstStoreFaultsThenTheLeafIsDirtyAndTheStoreRetires() {
        for (boolean pmd : new boolean[] {false, true}) {
            UserSpace us = space(pmd);
            Mm mm = us.mmAlloc();
            long va = us.mmapPfn(mm, 0, 2 * M2, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.NORMAL, DEV >>> 12);
            assertThat(va).isPositive();
            int level = pmd ? 2 : 3;
            long before = leaf(mm, va + 8192, level);
            assertThat(before & Desc.RDONLY).as("clean: PTE_RDONLY").isNotZero();
            assertThat(before & Desc.WRITE).as("writable: PTE_WRITE").isNotZero();
            HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 1).attach();
            for (int cpu = 0; cpu < hw.cpuCount(); cpu++) {
            hw.switchMm(cpu, mm.pgd, mm.asid);
        }
            assertThat(hw.access(0, va + 8192, HwModel.LOAD)).isEqualTo(DEV + 8192);
            assertThat(hw.access(0, va + 8192, HwModel.STORE)).isEqualTo(-1);
            assertThat(hw.lastFault).isEqualTo(2);
            assertThat(us.writeFault(mm, va + 8192)).isZero();
            long after = leaf(mm, va + 8192, level);
            assertThat(after).isEqualTo((before | Desc.DIRTY) & ~Desc.RDONLY);
            // the read-only entry the CPU cached was invalidated (flush_tlb_page): the retried store goes through
            assertThat(hw.access(0, va + 8192, HwModel.STORE)).isEqualTo(DEV + 8192);
            assertThat(hw.cpu(0).stats.permissionFaults).isEqualTo(1);
            // only the faulting leaf changed: the next page (PTEs) or the next 2M (PMDs) is still clean
            long next = va + (pmd ? M2 : 4096) + 8192;
            assertThat(leaf(mm, next, level) & Desc.RDONLY).isNotZero();
            assertThat(hw.access(0, next, HwModel.STORE)).isEqualTo(-1);
            // a second fault on the dirty leaf changes nothing and flushes nothing
            long walks = hw.cpu(0).stats.walks;
            assertThat(us.writeFault(mm, va + 8192)).isZero();
            assertThat(leaf(mm, va + 8192, level)).isEqualTo(after);
            assertThat(hw.access(0, va + 8192, HwModel.STORE)).isEqualTo(DEV + 8192);
            assertThat(hw.cpu(0).stats.walks).isEqualTo(walks);
            hw.detach();
            us.exit(mm);
        }
    }

    @Test
    void storesOutsideAWritableVmaAreSigsegv() {
        UserSpace us = space(true);
        Mm mm = us.mmAlloc();
        long ro = us.mmapPfn(mm, 0, M2, UserProt.VM_READ, UserProt.Cache.NORMAL, DEV >>> 12);
        assertThat(us.writeFault(mm, ro)).isEqualTo(UserSpace.FAULT_SIGSEGV);
        assertThat(us.writeFault(mm, ro + 64 * M2)).isEqualTo(UserSpace.FAULT_SIGSEGV);
        long before = leaf(mm, ro, 2);
        assertThat(before & Desc.DIRTY).isZero();
    }
}
