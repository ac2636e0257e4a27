package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;

/**
 * -ENOMEM in the middle of a split, at every possible allocation: the call fails, the tables stay
 * valid, every page keeps its translation and attributes, and the counters equal the walk.
 */
class SplitEnomemTest {
    static final long G = 1L << 30;

    /** Translation (OA and attributes, ignoring CONT and the leaf size) of a page. */
    static long attrs(Kernel k, long va) {
        long[] l = Walks.leaf(k, va);
        if (l == null) {
            return 0;
        }
        long size = k.geo.entrySize((int) l[0]);
        long oa = (l[1] & k.geo.oaMask & -size) + (va & (size - 1));
        return oa | (Desc.pgprot(l[1]) & ~(Desc.CONT | Desc.TABLE_BIT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4K", "16K", "64K"})
    void everyAllocationCanFail(String gran) {
        Granule g = Granule.parse(gran);
        KernelConfig c = Walks.bbml2(g, 48);
        long mem = g == Granule.G4K ? 4 * G : 64 * G;
        // a range whose two edges fall inside the largest leaves the granule has
        long ps = c.geometry().pageSize;
        long startPa = 0x1_0000_0000L + c.geometry().entrySize(2) - ps; // the edges fall in two PMD leaves
        int pages = 3;
        int needed = -1;
        for (int n = 1; n < 10; n++) {
            Kernel k = Kernel.boot(c, MemoryLayout.ofSize(mem));
            long va = k.physToVirt(startPa);
            long[] probe = {va - ps, va, va + ps, va + pages * ps - ps, va + pages * ps, va + 7 * k.geo.pageSize * 64};
            long[] before = new long[probe.length];
            for (int i = 0; i < probe.length; i++) {
                before[i] = attrs(k, probe[i]);
            }
            long allocs0 = k.pg.allocations();
            k.pg.failNthAllocation(n);
            int rc = k.pageAttr.setMemoryValid(va, pages, false);
            k.pg.failNthAllocation(0);
            assertThat(Walks.recount(k)).as("counters after failing allocation %d", n).containsExactly(k.directMapBytes());
            if (rc == 0) {
                needed = (int) (k.pg.allocations() - allocs0);
                assertThat(needed).isEqualTo(n - 1);
                assertThat(Desc.valid(Walks.desc(k, va))).isFalse();
                break;
            }
            assertThat(rc).isEqualTo(-Errno.ENOMEM);
            for (int i = 0; i < probe.length; i++) {
                assertThat(attrs(k, probe[i])).as("page 0x%x after failing allocation %d", probe[i], n).isEqualTo(before[i]);
            }
            // the kernel stays usable: the same call succeeds once memory is back
            assertThat(k.pageAttr.setMemoryValid(va, pages, false)).isZero();
            assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
        }
        assertThat(needed).as("allocations the split needs").isEqualTo(g == Granule.G4K ? 3 : 2);
    }
}
