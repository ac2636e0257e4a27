package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LongMap against java.util.HashMap on random puts, gets and removes (fixed seed). */
class LongMapTest {
    @Test
    void behavesLikeAHashMap() {
        long seed = 77;
        Random r = new Random(seed);
        LongMap<Long> m = new LongMap<>();
        Map<Long, Long> ref = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            long key = 1 + r.nextInt(5000) * 4096L;
            switch (r.nextInt(3)) {
                case 0:
                    m.put(key, (long) step);
                    ref.put(key, (long) step);
                    break;
                case 1:
                    m.remove(key);
                    ref.remove(key);
                    break;
                default:
                    assertThat(m.get(key)).as("seed %d step %d key %x", seed, step, key).isEqualTo(ref.get(key));
            }
            assertThat(m.size()).isEqualTo(ref.size());
        }
    }
}
