package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Tlbi;
import org.ptlab.workload.trace.Region;

class WalkerTest {
    static final Geometry G = Geometry.of(Granule.G4K, 48);

    static HwModel model(Region r, int cpus) {
        HwModel hw = new HwModel(r.pg, Presets.get(Presets.DEFAULT), cpus).attach();
        hw.setRoots(r.root, 0);
        return hw;
    }

    @Test
    void coldWalkReadsFourLevelsThenWalkCacheShortensIt() {
        Region r = Region.standalone(G, 64L << 20, MapSize.PTE);
        HwModel hw = model(r, 1);
        HwStats s = hw.cpu(0).stats;
        assertThat(hw.access(0, r.va + 0x1234, HwModel.LOAD)).isEqualTo(r.pa + 0x1234);
        assertThat(s.walks).isEqualTo(1);
        assertThat(s.walkRefs).isEqualTo(4);
        hw.access(0, r.va + 0x1ff8, HwModel.STORE);
        assertThat(s.walks).isEqualTo(1);
        assertThat(s.tlbHits[0]).isEqualTo(1);
        hw.access(0, r.va + 0x5000, HwModel.LOAD);
        assertThat(s.walks).isEqualTo(2);
        assertThat(s.walkRefs).isEqualTo(5);
        assertThat(s.walkCacheHits).isEqualTo(1);
    }

    @Test
    void contiguousRunIsOneEntryAndBlocksSplinterIntoTheL1() {
        Region r = Region.standalone(G, 64L << 20, MapSize.CONT_PTE);
        HwModel hw = model(r, 1);
        for (long off = 0; off < (64 << 10); off += 4096) {
            assertThat(hw.access(0, r.va + off + 8, HwModel.LOAD)).isEqualTo(r.pa + off + 8);
        }
        assertThat(hw.cpu(0).stats.walks).isEqualTo(1);
        assertThat(hw.cpu(0).tlbLive(0)).isEqualTo(1);

        Region g = Region.standalone(G, 2L << 30, MapSize.PUD);
        HwModel h2 = model(g, 1);
        h2.access(0, g.va + (3L << 20), HwModel.LOAD);
        h2.access(0, g.va + (700L << 20), HwModel.LOAD);
        // the L1 holds no 1G entries (neoverse-n1: 4K/64K/2M): two 2M splinters; the L2 one 1G entry
        assertThat(h2.cpu(0).tlbLive(0)).isEqualTo(2);
        assertThat(h2.cpu(0).tlbLive(1)).isEqualTo(1);
        assertThat(h2.cpu(0).stats.walks).isEqualTo(1);
        assertThat(h2.cpu(0).stats.walkRefs).isEqualTo(2);
    }

    @Test
    void lastLevelTlbiKeepsWalkCacheAllLevelsDropsIt() {
        Region r = Region.standalone(G, 64L << 20, MapSize.PTE);
        HwModel hw = model(r, 2);
        long va = r.va + (5L << 20);
        hw.access(1, va, HwModel.LOAD);
        r.pg.cpu = 0;
        r.pg.tlbi(Tlbi.VAALE1IS, va, 1, -1);
        hw.access(1, va, HwModel.LOAD);
        assertThat(hw.cpu(1).stats.walks).as("not complete before DSB").isEqualTo(1);
        r.pg.dsbIsh();
        hw.access(1, va, HwModel.LOAD);
        HwStats s = hw.cpu(1).stats;
        assertThat(s.walks).isEqualTo(2);
        assertThat(s.walkRefs).isEqualTo(5);
        r.pg.tlbi(Tlbi.VAAE1IS, va, 1, -1);
        r.pg.dsbIsh();
        hw.access(1, va, HwModel.LOAD);
        assertThat(s.walks).isEqualTo(3);
        assertThat(s.walkRefs).isEqualTo(9);
        // a local TLBI on CPU0 leaves CPU1 alone
        r.pg.tlbi(Tlbi.VAAE1, va, 1, -1);
        r.pg.dsbIsh();
        hw.access(1, va, HwModel.LOAD);
        assertThat(s.walks).isEqualTo(3);
        r.pg.tlbi(Tlbi.VMALLE1IS, 0, 0, -1);
        r.pg.dsbIsh();
        assertThat(hw.cpu(1).tlbLive(0) + hw.cpu(1).tlbLive(1) + hw.cpu(1).walkCacheLive()).isZero();
    }

    @Test
    void faults() {
        Region r = Region.standalone(G, 2L << 20, MapSize.PTE);
        HwModel hw = model(r, 1);
        assertThat(hw.access(0, r.va + (2L << 20), HwModel.LOAD)).isEqualTo(-1);
        assertThat(hw.lastFault).isEqualTo(1);
        assertThat(hw.access(0, -4096L, HwModel.LOAD)).isEqualTo(-1);
        assertThat(hw.cpu(0).stats.translationFaults).isEqualTo(2);
    }

    /** The fully associative (hashed, linked-list LRU) and set-associative paths against a reference LRU. */
    @Test
    void xlatCacheIsExactLruAgainstAReference() {
        for (int ways : new int[] {48, 4, 1}) {
            long seed = 1234 + ways;
            int entries = ways == 48 ? 48 : 64;
            int[] shift = {12, 16, 21, 25, 30, 0, 0, 0};
            XlatCache c = new XlatCache("t", entries, ways, 0, shift);
            int sets = entries / ways;
            List<LinkedHashMap<Long, Boolean>> ref = new ArrayList<>();
            for (int i = 0; i < sets; i++) {
                ref.add(new LinkedHashMap<>(16, 0.75f, true));
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int step = 0; step < 200_000; step++) {
                long va = rnd.nextLong(300) << 12;
                int kind = 0;
                long key = va >>> 12;
                Map<Long, Boolean> set = ref.get((int) (key & (sets - 1)));
                int op = rnd.nextInt(10);
                if (op == 0) {
                    boolean had = set.remove(key) != null;
                    assertThat(c.invalidateVa(va) == 1).as("seed %d step %d invalidate", seed, step).isEqualTo(had);
                    continue;
                }
                boolean hit = c.lookup(va) >= 0;
                boolean refHit = set.get(key) != null;
                assertThat(hit).as("seed %d step %d va %x", seed, step, va).isEqualTo(refHit);
                if (!hit) {
                    if (set.size() == ways) {
                        Long lru = set.keySet().iterator().next();
                        set.remove(lru);
                    }
                    set.put(key, true);
                    c.fill(va, kind, va, 0, 0);
                }
            }
            assertThat(c.live).isEqualTo(ref.stream().mapToInt(Map::size).sum());
        }
    }

    @Test
    void yamlOverridesAPresetAndRejectsBadGeometry() {
        CoreConfig c = HwYaml.parse("base: neoverse-n1\nname: small\ncaches:\n  - {name: L1D, size: 32K, ways: 4, latency: 3}\n", "x.yaml");
        assertThat(c.name).isEqualTo("small");
        assertThat(c.tlbs).hasSize(2);
        assertThat(c.tlbs.get(1).entries).isEqualTo(1280);
        assertThat(c.caches).hasSize(1);
        assertThat(c.caches.get(0).size).isEqualTo(32 << 10);
        assertThatThrownBy(() -> HwYaml.parse("tlbs: [{entries: 48, ways: 5}]\n", "b.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("b.yaml: ").hasMessageContaining("multiple of ways");
        assertThatThrownBy(() -> HwYaml.parse("tlb: []\n", "c.yaml")).hasMessageStartingWith("c.yaml: ").hasMessageContaining("tlb");
        assertThatThrownBy(() -> HwYaml.parse("base: cortex-z9\n", "d.yaml")).hasMessageContaining("unknown core preset");
        assertThat(HwYaml.parse(HwYaml.toYaml(Presets.get("cortex-a72")), "rt.yaml").summary()).isEqualTo(Presets.get("cortex-a72").summary());
    }
}
