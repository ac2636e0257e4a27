package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;
import org.ptlab.check.Invariants;

/**
 * split_kernel_leaf_mapping_locked's descent (Split.splitAt, on TableWalk.descend): at the PMD
 * level a contPMD group is cleared, and a PMD-aligned address is then already a leaf boundary, so
 * the PMD block stays (mmu.c: {@code if (ALIGN_DOWN(addr, PMD_SIZE) == addr) goto out;} after
 * {@code split_contpmd}, whether or not the PMD was CONT).
 */
class SplitAtTest {
    static final long G = 1L << 30;

    @Test
    void aPmdAlignedAddressClearsTheContPmdGroupAndKeepsThePmdBlock() {
        Kernel k = Kernel.boot(Walks.bbml2(Granule.G4K, 48), MemoryLayout.ofSize(4 * G));
        long va = -1;
        for (long a = k.physToVirt(0x4000_0000L) + k.geo.contPmdSize; a < k.physToVirt(0x1_4000_0000L); a += k.geo.contPmdSize) {
            long[] l = Walks.leaf(k, a);
            if (l != null && l[0] == 2 && Desc.cont(l[1])) {
                va = a + k.geo.entrySize(2); // PMD aligned, not contPMD aligned, inside the group
                break;
            }
        }
        assertThat(va).as("a contPMD group in the boot linear map").isNotEqualTo(-1);
        assertThat(k.split.splitAt(va)).isZero();
        long[] l = Walks.leaf(k, va);
        assertThat(l[0]).isEqualTo(2);
        assertThat(Desc.cont(l[1])).isFalse();
        // again: a plain PMD block, PMD aligned: nothing to split
        assertThat(k.split.splitAt(va)).isZero();
        assertThat(Walks.leaf(k, va)[0]).isEqualTo(2);
        assertThat(Invariants.check(k)).isEmpty();
        // split=cont-one-entry's copy asks about alignment only after a contPMD clear: it splits the plain PMD
        assertThat(k.split.splitAtContOneEntry(va)).isZero();
        assertThat(Walks.leaf(k, va)[0]).isEqualTo(3);
        // one page inside: split down to the PTE level
        long inside = va + 2 * k.geo.entrySize(2) + k.geo.pageSize;
        assertThat(k.split.splitAt(inside)).isZero();
        assertThat(Walks.leaf(k, inside)[0]).isEqualTo(3);
        assertThat(Invariants.check(k)).isEmpty();
    }
}
