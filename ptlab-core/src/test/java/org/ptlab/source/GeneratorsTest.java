package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.ptlab.hw.HwModel;

class GeneratorsTest {
    static long[] take(AccessTrace t, int n, byte[] ty) throws Exception {
        long[] va = new long[n];
        int got = 0;
        while (got < n) {
            long[] b = new long[n - got];
            byte[] bt = new byte[n - got];
            int k = t.next(b, bt, b.length);
            if (k == 0) {
                break;
            }
            System.arraycopy(b, 0, va, got, k);
            if (ty != null) {
                System.arraycopy(bt, 0, ty, got, k);
            }
            got += k;
        }
        return java.util.Arrays.copyOf(va, got);
    }

    @Test
    void latMemRdThrashVisitsEveryPageOncePerPassAtRotatingWords() throws Exception {
        long size = 1 << 20;
        int pages = 256;
        long[] va = take(Generators.latMemRd(size, 64, true, 4096, 7, -1), pages * 3, null);
        for (int pass = 0; pass < 3; pass++) {
            BitSet seen = new BitSet();
            for (int i = 0; i < pages; i++) {
                long v = va[pass * pages + i];
                assertThat(v).isBetween(0L, size - 1);
                assertThat(v % 64).isZero();
                seen.set((int) (v >>> 12));
                if (i > 0) {
                    assertThat(v >>> 12).isNotEqualTo(va[pass * pages + i - 1] >>> 12);
                }
            }
            assertThat(seen.cardinality()).isEqualTo(pages);
        }
        // the same page is visited at a different word in the next pass
        assertThat(va[pages] >>> 12).isEqualTo(va[0] >>> 12);
        assertThat(va[pages] & 4095).isNotEqualTo(va[0] & 4095);
    }

    @Test
    void plainStrideAndCountBound() throws Exception {
        long[] va = take(Generators.latMemRd(256, 64, false, 4096, 0, 6), 10, null);
        assertThat(va).containsExactly(0, 64, 128, 192, 0, 64);
    }

    @Test
    void zipfPrefersFewPagesAndStaysInside() throws Exception {
        long size = 64L << 20;
        byte[] ty = new byte[200_000];
        long[] va = take(Generators.zipf(size, 4096, 1.1, 0.25, 9, -1), ty.length, ty);
        java.util.Map<Long, Integer> count = new java.util.HashMap<>();
        int stores = 0;
        for (int i = 0; i < va.length; i++) {
            assertThat(va[i]).isBetween(0L, size - 8);
            count.merge(va[i] >>> 12, 1, Integer::sum);
            stores += ty[i] == HwModel.STORE ? 1 : 0;
        }
        int top = count.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertThat(top).isGreaterThan(va.length / 20);
        assertThat(count.size()).isLessThan(16384);
        assertThat(stores).isBetween(45_000, 55_000);
    }

    @Test
    void copyAlternatesLoadAndStoreAcrossHalves() throws Exception {
        byte[] ty = new byte[6];
        long[] va = take(Generators.copy(1024, 64, 6), 6, ty);
        assertThat(va).containsExactly(0, 512, 64, 576, 128, 640);
        assertThat(ty).containsExactly(HwModel.LOAD, HwModel.STORE, HwModel.LOAD, HwModel.STORE, HwModel.LOAD, HwModel.STORE);
        assertThatThrownBy(() -> Generators.uniform(10, 64, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
