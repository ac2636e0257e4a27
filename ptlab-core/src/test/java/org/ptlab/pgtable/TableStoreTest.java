package org.ptlab.pgtable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tables held as runs behave exactly like explicit arrays (checked against a plain long[][]). */
class TableStoreTest {
    @Test
    void runsMaterialiseOnFirstDifferingWrite() {
        TableStore s = new TableStore(9, 4);
        int t = s.alloc();
        assertThat(s.isRun(t)).isTrue();
        assertThat(s.get(t, 7)).isZero();
        s.fillRun(t, 0, 512, 0x1000_0f07L, 0x1000);
        assertThat(s.isRun(t)).isTrue();
        assertThat(s.materialised()).isZero();
        assertThat(s.get(t, 3)).isEqualTo(0x1000_3f07L - 0x2000 + 0x2000);
        s.set(t, 3, s.get(t, 3));
        assertThat(s.isRun(t)).as("rewriting the same value keeps the run").isTrue();
        s.set(t, 3, 42);
        assertThat(s.isRun(t)).isFalse();
        assertThat(s.get(t, 3)).isEqualTo(42);
        assertThat(s.get(t, 4)).isEqualTo(0x1000_0f07L + 4 * 0x1000);
        s.free(t);
        int u = s.alloc();
        assertThat(s.get(u, 3)).as("a reused slot is none again").isZero();
    }

    @Test
    void randomOperationsMatchAPlainArrayModel() {
        long seed = 4242;
        Random r = new Random(seed);
        TableStore s = new TableStore(4, 8);
        long[][] model = new long[64][];
        int[] slotOf = new int[64];
        for (int step = 0; step < 20000; step++) {
            int i = r.nextInt(64);
            int op = r.nextInt(5);
            if (model[i] == null) {
                slotOf[i] = s.alloc();
                model[i] = new long[16];
            } else if (op == 0) {
                s.free(slotOf[i]);
                model[i] = null;
            } else if (op == 1) {
                int idx = r.nextInt(16);
                long v = r.nextInt(4) == 0 ? model[i][idx] : r.nextLong();
                s.set(slotOf[i], idx, v);
                model[i][idx] = v;
            } else if (op == 2) {
                int from = r.nextBoolean() ? 0 : r.nextInt(16);
                int count = from == 0 && r.nextBoolean() ? 16 : r.nextInt(16 - from + 1);
                long first = r.nextLong();
                long st = r.nextInt(3) * 4096L;
                s.fillRun(slotOf[i], from, count, first, st);
                for (int k = 0; k < count; k++) {
                    model[i][from + k] = first + k * st;
                }
            } else {
                long[] out = new long[16];
                s.copyOut(slotOf[i], out);
                assertThat(out).as("seed %d step %d", seed, step).containsExactly(model[i]);
            }
        }
    }

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
