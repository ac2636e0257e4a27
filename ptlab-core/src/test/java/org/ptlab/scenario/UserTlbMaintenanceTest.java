package org.ptlab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.hw.Hazard;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.Presets;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.user.Mm;
import org.ptlab.user.UserConfig;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;

/**
 * The user mm's TLB maintenance against the hardware model: two CPUs keep loading from a device
 * mapping (filling TLBs and walk caches with PTE, PMD and PUD translations) while remap_pfn_range,
 * mprotect (PMD and PUD splits), munmap, faults and exit run; after every operation no CPU may still
 * translate through a cleared entry, hold a freed table in its walk cache, or mix translation
 * sizes for one VA (the splits are break-before-make). A clear without a flush is caught.
 */
class UserTlbMaintenanceTest {
    static final long M2 = 2L << 20;
    static final long G1 = 1L << 30;

    @Test
    void splitsUnmapsAndExitLeaveNoStaleTranslation() {
        Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 64);
        UserSpace us = new UserSpace(pg, new TlbFlush(pg, false), new UserConfig());
        Mm mm = us.mmAlloc();
        HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 2).attach();
        for (int cpu = 0; cpu < hw.cpuCount(); cpu++) {
            hw.switchMm(cpu, mm.pgd, mm.asid);
        }
        Random r = new Random(7);
        List<long[]> areas = new ArrayList<>();
        int rw = UserProt.VM_READ | UserProt.VM_WRITE;
        for (int round = 0; round < 12; round++) {
            long len = switch (r.nextInt(3)) {
                case 0 -> G1 + 2 * M2;
                case 1 -> 3 * M2;
                default -> M2 + 5 * 4096L;
            };
            long a = r.nextBoolean() ? us.mmapPfn(mm, 0, len, rw, UserProt.Cache.NORMAL, 0x4000000L + r.nextInt(64) * (G1 >>> 12))
                    : us.mmap(mm, 0, len, rw, UserProt.Cache.NORMAL, true, 0x8000000L);
            assertThat(a).isPositive();
            areas.add(new long[] {a, a + len});
            for (int i = 0; i < 4000; i++) {
                long[] ar = areas.get(r.nextInt(areas.size()));
                long va = ar[0] + (r.nextLong(ar[1] - ar[0]) & -4096L);
                if (hw.access(r.nextInt(2), va, HwModel.LOAD) < 0 && mm.findVma(va) != null) {
                    us.fault(mm, va);
                }
            }
            long[] ar = areas.get(r.nextInt(areas.size()));
            long at = ar[0] + (r.nextLong(ar[1] - ar[0]) & -4096L);
            if (r.nextBoolean()) {
                assertThat(us.mprotect(mm, at, 4096, r.nextBoolean() ? UserProt.VM_READ : 0)).isZero();
            } else {
                long n = Math.min(ar[1] - at, 4096L * (1 + r.nextInt(700)));
                assertThat(us.munmap(mm, at, n)).isZero();
            }
            assertThat(hw.hazards()).as("round %d", round).isEmpty();
        }
        us.exit(mm);
        assertThat(hw.hazards()).isEmpty();
        assertThat(pg.livePages()).isZero();
    }

    @Test
    void aClearWithoutFlushIsCaught() {
        Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 64);
        UserConfig c = new UserConfig();
        c.pudPfnmap = false;
        UserSpace us = new UserSpace(pg, new TlbFlush(pg, false), c);
        Mm mm = us.mmAlloc();
        HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 1).attach();
        for (int cpu = 0; cpu < hw.cpuCount(); cpu++) {
            hw.switchMm(cpu, mm.pgd, mm.asid);
        }
        long a = us.mmapPfn(mm, 0, M2, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.NORMAL, 0x80000);
        assertThat(hw.access(0, a + 4096, HwModel.LOAD)).isEqualTo((0x80000L << 12) + 4096);
        // zap the PMD leaf by hand, with no TLBI: the cached 2M translation is stale
        long pud = Pgtable.tablePa(pg.peek(mm.pgd, pg.geo.index(0, a)));
        long pmd = Pgtable.tablePa(pg.peek(pud, pg.geo.index(1, a)));
        pg.op("zap_without_flush", a, a + M2, true);
        pg.write(pmd, pg.geo.index(2, a), 0);
        pg.op("zap_without_flush", a, a + M2, false);
        assertThat(hw.hazards()).extracting(Hazard::kind).contains(Hazard.Kind.STALE_TRANSLATION);
        assertThat(Desc.isTable(pg.peek(pud, pg.geo.index(1, a)))).isTrue();
    }
}
