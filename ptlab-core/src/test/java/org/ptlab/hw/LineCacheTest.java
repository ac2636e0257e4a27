package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineCacheTest {
    /**
     * Sets of 1, 2, 4, 8 and 16 ways (recency order in nibbles) and of 32 ways (tags shifted)
     * against a reference LRU per set, over addresses that collide in sets, with whole clears.
     */
    @Test
    void lineCacheIsExactLruAgainstAReference() {
        for (int ways : new int[] {1, 2, 4, 8, 16, 32}) {
            long size = 64L * ways * 16;
            LineCache c = new LineCache(new CoreConfig.CacheLevel("t", size, ways, 1, false));
            int sets = 16;
            List<Map<Long, Boolean>> ref = new ArrayList<>();
            for (int i = 0; i < sets; i++) {
                ref.add(new LinkedHashMap<>(16, 0.75f, true));
            }
            SplittableRandom rnd = new SplittableRandom(99 + ways);
            for (int step = 0; step < 200_000; step++) {
                if (rnd.nextInt(5000) == 0) {
                    c.clear();
                    ref.forEach(Map::clear);
                    continue;
                }
                long pa = rnd.nextLong(ways * sets * 3L) << 6 | rnd.nextInt(64);
                long line = (pa >>> 6) + 1;
                Map<Long, Boolean> set = ref.get((int) ((line ^ (line >>> 17)) & (sets - 1)));
                boolean refHit = set.get(line) != null;
                if (!refHit) {
                    if (set.size() == ways) {
                        set.remove(set.keySet().iterator().next());
                    }
                    set.put(line, true);
                }
                assertThat(c.access(pa)).as("ways %d step %d pa %x", ways, step, pa).isEqualTo(refHit);
            }
        }
    }
}
