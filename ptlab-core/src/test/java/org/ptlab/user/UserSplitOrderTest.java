package org.ptlab.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.pgtable.Tlbi;

/**
 * A user PMD split follows break-before-make (reference section 8, item 16): the special PMD is
 * cleared, TLBI by VA with the mm's ASID and a PMD stride, then the refilled PTE table (written
 * before a barrier) is linked. Zap at exit frees the deposit without a TLBI of its own.
 */
class UserSplitOrderTest {
    @Test
    void pmdSplitIsClearFlushThenInstall() {
        Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 16);
        UserConfig c = new UserConfig();
        UserSpace us = new UserSpace(pg, new TlbFlush(pg, false), c);
        Mm mm = us.mmAlloc();
        long a = us.mmapPfn(mm, 0, 2L << 20, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.NORMAL, 0x80000);
        List<String> ev = new ArrayList<>();
        pg.addObserver(new PgtableObserver() {
            @Override
            public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
                if (level == 2) {
                    ev.add(val == 0 ? "clear" : Desc.isTable(val) ? "table" : "leaf");
                }
            }

            @Override
            public void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {
                ev.add("fill" + count);
            }

            @Override
            public void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {
                ev.add(op + "/" + pages + "/asid" + asid + (va == a ? "@start" : ""));
            }

            @Override
            public void onBarrier(int cpu, Barrier b) {
                ev.add(b.toString());
            }
        });
        assertThat(us.mprotect(mm, a + 4096, 4096, UserProt.VM_READ)).isZero();
        int clear = ev.indexOf("clear");
        int tlbi = ev.indexOf("VAE1IS/512/asid" + mm.asid + "@start");
        int fill = ev.indexOf("fill512");
        int table = ev.indexOf("table");
        assertThat(clear).as("%s", ev).isNotNegative();
        assertThat(tlbi).as("%s", ev).isGreaterThan(clear);
        assertThat(fill).as("%s", ev).isGreaterThan(tlbi);
        assertThat(ev.subList(fill, table)).as("%s", ev).contains("DSB_ISHST");
        assertThat(table).as("%s", ev).isGreaterThan(fill);
    }
}
