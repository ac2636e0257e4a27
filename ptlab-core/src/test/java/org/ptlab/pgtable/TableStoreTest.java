package org.ptlab.pgtable;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Recycled table slots come back zeroed whether or not they were written (dirty-flag zeroing). */
class TableStoreTest {
    @Test
    void recycledSlotsAreZeroWrittenOrNot() {
        TableStore s = new TableStore(9, 4);
        int a = s.alloc();
        int b = s.alloc();
        s.set(a, 7, 0x1234);
        s.fillRun(b, 0, 512, 1, 1);
        int c = s.alloc(); // never written
        s.free(a);
        s.free(b);
        s.free(c);
        for (int i = 0; i < 3; i++) {
            int x = s.alloc();
            for (int k = 0; k < 512; k++) {
                assertThat(s.get(x, k)).as("slot %d entry %d", x, k).isZero();
            }
            s.set(x, 3, 99);
            s.free(x);
            int y = s.alloc();
            assertThat(s.get(y, 3)).isZero();
            s.free(y);
        }
    }
}
