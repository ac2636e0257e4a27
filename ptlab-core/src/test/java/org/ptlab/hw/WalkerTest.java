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
import org.ptlab.run.Region;

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

    /**
     * The walk memo is the host's, not the model's: a table rewritten above the last level (here
     * the PMD entry becomes a 2M block elsewhere) is what the next walk reads, without any TLB
     * maintenance for the memo, and the walk still charges every level it reads.
     */
    @Test
    void walksReadTheTablesAsTheyAreNow() {
        Region r = Region.standalone(G, 4L << 20, MapSize.PTE);
        HwModel hw = model(r, 1);
        HwStats s = hw.cpu(0).stats;
        long va = r.va + 0x3008;
        assertThat(hw.access(0, va, HwModel.LOAD)).isEqualTo(r.pa + 0x3008);
        long pgd = r.root;
        long pud = r.pg.peek(pgd, G.index(0, va)) & G.oaMask;
        long pmd = r.pg.peek(pud, G.index(1, va)) & G.oaMask;
        int pi = G.index(2, va);
        long other = 0x40_0000_0000L;
        r.pg.write(pmd, pi, org.ptlab.arch.Desc.mkSect(org.ptlab.arch.Desc.pageKernel(false)) | other);
        hw.cpu(0).flushAll();
        assertThat(hw.access(0, va, HwModel.LOAD)).isEqualTo(other + (va & ((2L << 20) - 1)));
        assertThat(s.walkRefs).as("4 levels, then 3 to the block").isEqualTo(7);
        r.pg.write(pgd, G.index(0, va), 0);
        hw.cpu(0).flushAll();
        assertThat(hw.access(0, va, HwModel.LOAD)).isEqualTo(-1);
        assertThat(hw.lastFault).isEqualTo(1);
    }

    /**
     * A walker with no walk cache and no line caches takes the memo's whole upper path in one step:
     * the same translations, references per walk by leaf level, and execute-never from a PXNTable
     * above the leaf, for every leaf size.
     */
    @Test
    void flatWalkerWithoutWalkCacheTranslatesEveryLeafSize() {
        CoreConfig flat = Presets.get(Presets.DEFAULT).copy();
        flat.caches = new ArrayList<>();
        flat.walkCache = null;
        MapSize[] kinds = {MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD, MapSize.CONT_PMD, MapSize.PUD};
        int[] refs = {4, 4, 3, 3, 2};
        for (int k = 0; k < kinds.length; k++) {
            Region r = Region.standalone(G, 2L << 30, kinds[k]);
            HwModel hw = new HwModel(r.pg, flat, 1).attach();
            hw.setRoots(r.root, 0);
            HwStats s = hw.cpu(0).stats;
            SplittableRandom rnd = new SplittableRandom(k);
            for (int i = 0; i < 20_000; i++) {
                long off = rnd.nextLong(2L << 30) & -8L;
                assertThat(hw.access(0, r.va + off, HwModel.LOAD)).as("%s +%x", kinds[k], off).isEqualTo(r.pa + off);
            }
            assertThat(s.walks).as("%s walks", kinds[k]).isPositive();
            assertThat(s.walkRefs).as("%s refs", kinds[k]).isEqualTo(s.walks * refs[k]);
            assertThat(s.walkCycles).isEqualTo(s.walkRefs * flat.memoryLatency);
            assertThat(hw.access(0, r.va + 0x40, HwModel.IFETCH)).as("user-executable region").isEqualTo(r.pa + 0x40);
            // PXNTable on the level-0 descriptor: EL0 fetches are still allowed (PXN), so set UXNTable
            long d = r.pg.peek(r.root, G.index(0, r.va));
            r.pg.write(r.root, G.index(0, r.va), d | org.ptlab.arch.Desc.TABLE_UXN);
            hw.cpu(0).flushAll();
            assertThat(hw.access(0, r.va + 0x40, HwModel.IFETCH)).as("%s: UXNTable above the leaf", kinds[k]).isEqualTo(-1);
            assertThat(hw.lastFault).isEqualTo(2);
            assertThat(hw.access(0, r.va + 0x40, HwModel.LOAD)).isEqualTo(r.pa + 0x40);
        }
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

    /**
     * The fully associative (hash chains, LRU list), set-associative up to 16 ways (recency order
     * in nibbles) and wider set-associative (stamps) paths against a reference LRU, with entries
     * of two sizes, invalidations by VA and by range, and whole clears.
     */
    @Test
    void xlatCacheIsExactLruAgainstAReference() {
        int[][] shapes = {{48, 48}, {12, 12}, {64, 4}, {64, 1}, {80, 5}, {64, 16}, {8, 8}, {64, 32}};
        for (int[] shape : shapes) {
            int ways = shape[1];
            long seed = 1234 + ways;
            int entries = shape[0];
            int[] shift = {12, 16, 21, 25, 30, 0, 0, 0};
            XlatCache c = new XlatCache("t", entries, ways, 0, shift);
            int sets = entries / ways;
            List<LinkedHashMap<Long, Boolean>> ref = new ArrayList<>();
            for (int i = 0; i < sets; i++) {
                ref.add(new LinkedHashMap<>(16, 0.75f, true));
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int step = 0; step < 300_000; step++) {
                int kind = rnd.nextInt(5) == 0 ? 2 : 0;
                long va = kind == 2 ? rnd.nextLong(40) << 21 : rnd.nextLong(300) << 12;
                long tag = va >>> shift[kind];
                long key = tag << 3 | kind;
                Map<Long, Boolean> set = ref.get((int) (tag & (sets - 1)));
                int op = rnd.nextInt(1000);
                if (op < 100) {
                    boolean had = set.remove(key) != null;
                    int w = c.probe(va, kind);
                    assertThat(w >= 0).as("seed %d step %d probe", seed, step).isEqualTo(had);
                    if (had) {
                        c.remove(w);
                    }
                    continue;
                }
                if (op < 102) {
                    c.clear();
                    ref.forEach(Map::clear);
                    continue;
                }
                if (op < 105) {
                    long s0 = rnd.nextLong(300) << 12;
                    long e0 = s0 + (rnd.nextLong(64) + 1) * 4096;
                    c.invalidateRange(s0, e0);
                    for (Map<Long, Boolean> m : ref) {
                        m.keySet().removeIf(k -> {
                            int kk = (int) (k & 7);
                            long a = (k >>> 3) << shift[kk];
                            return a < e0 && a + (1L << shift[kk]) > s0;
                        });
                    }
                    continue;
                }
                boolean hit = c.lookup(va, kind) >= 0;
                boolean refHit = set.get(key) != null;
                assertThat(hit).as("seed %d step %d va %x kind %d", seed, step, va, kind).isEqualTo(refHit);
                if (!hit) {
                    if (set.size() == ways) {
                        Long lru = set.keySet().iterator().next();
                        set.remove(lru);
                    }
                    set.put(key, true);
                    c.fill(va, kind, va, 0, kind, true);
                }
            }
            assertThat(c.live).isEqualTo(ref.stream().mapToInt(Map::size).sum());
        }
    }

    /** The nibble recency order: every move of every way of every permutation of 1..6 ways, and of a 16-way order, against a list. */
    @Test
    void nibbleRecencyOrderMovesExactly() {
        for (int ways = 1; ways <= 6; ways++) {
            for (List<Integer> perm : permutations(ways)) {
                long ord = 0;
                for (int r = 0; r < ways; r++) {
                    ord |= (long) perm.get(r) << (r << 2);
                }
                for (int j = 0; j < ways; j++) {
                    assertThat(XlatCache.rankOf(ord, j)).isEqualTo(perm.indexOf(j));
                    List<Integer> front = new ArrayList<>(perm);
                    front.remove(Integer.valueOf(j));
                    front.add(0, j);
                    List<Integer> back = new ArrayList<>(perm);
                    back.remove(Integer.valueOf(j));
                    back.add(j);
                    assertThat(decode(XlatCache.toFront(ord, j), ways)).isEqualTo(front);
                    assertThat(decode(XlatCache.toBack(ord, j, ways), ways)).isEqualTo(back);
                }
            }
        }
        long ord = 0;
        List<Integer> list = new ArrayList<>();
        for (int r = 0; r < 16; r++) {
            ord |= (long) (15 - r) << (r << 2);
            list.add(15 - r);
        }
        for (int j = 0; j < 16; j++) {
            List<Integer> back = new ArrayList<>(list);
            back.remove(Integer.valueOf(j));
            back.add(j);
            assertThat(decode(XlatCache.toBack(ord, j, 16), 16)).isEqualTo(back);
            List<Integer> front = new ArrayList<>(list);
            front.remove(Integer.valueOf(j));
            front.add(0, j);
            assertThat(decode(XlatCache.toFront(ord, j), 16)).isEqualTo(front);
        }
    }

    private static List<Integer> decode(long ord, int ways) {
        List<Integer> l = new ArrayList<>();
        for (int r = 0; r < ways; r++) {
            l.add((int) (ord >>> (r << 2)) & 15);
        }
        if (ways < 16) {
            assertThat(ord >>> (ways << 2)).as("nibbles above the set's ways stay clear").isZero();
        }
        return l;
    }

    private static List<List<Integer>> permutations(int n) {
        List<List<Integer>> out = new ArrayList<>();
        if (n == 0) {
            out.add(new ArrayList<>());
            return out;
        }
        for (List<Integer> p : permutations(n - 1)) {
            for (int at = 0; at <= p.size(); at++) {
                List<Integer> q = new ArrayList<>(p);
                q.add(at, n - 1);
                out.add(q);
            }
        }
        return out;
    }

    /**
     * Instruction fetches use the L1 instruction TLB, then the unified L2; TLB maintenance and the
     * stale check reach the instruction TLB too.
     */
    @Test
    void instructionFetchesUseTheInstructionTlbAndTheUnifiedL2() {
        Region r = Region.standalone(G, 64L << 20, MapSize.PTE);
        HwModel hw = model(r, 2);
        HwCpu c = hw.cpu(0);
        int itlb = c.stats.lastLevel() + 1;
        assertThat(c.stats.tlbNames()[itlb]).isEqualTo("L1I-TLB");
        assertThat(hw.access(0, r.va + 0x40, HwModel.IFETCH)).isEqualTo(r.pa + 0x40);
        assertThat(c.tlbLive(itlb)).isEqualTo(1);
        assertThat(c.tlbLive(0)).as("the data TLB is not filled by a fetch").isZero();
        assertThat(hw.access(0, r.va + 0x80, HwModel.LOAD)).isEqualTo(r.pa + 0x80);
        assertThat(c.stats.walks).as("the data access hits the L2 entry the fetch filled").isEqualTo(1);
        assertThat(c.stats.tlbHits[1]).isEqualTo(1);
        assertThat(c.stats.tlbMisses[itlb]).isEqualTo(1);
        hw.access(0, r.va + 0xc0, HwModel.IFETCH);
        assertThat(c.stats.tlbHits[itlb]).isEqualTo(1);

        // a broadcast TLBI reaches the instruction TLB
        r.pg.cpu = 1;
        r.pg.tlbi(Tlbi.VAALE1IS, r.va, 1, -1);
        r.pg.dsbIsh();
        assertThat(c.tlbLive(itlb)).isZero();

        // a UXN change without a flush leaves a stale executable entry in CPU0's instruction TLB
        long t = r.root;
        for (int level = G.startLevel; level < 3; level++) {
            t = r.pg.peek(t, G.index(level, r.va)) & G.oaMask;
        }
        int idx = G.index(3, r.va);
        hw.access(0, r.va + 0x40, HwModel.IFETCH);
        r.pg.op("mprotect", r.va, r.va + 4096, true);
        r.pg.write(t, idx, r.pg.peek(t, idx) | org.ptlab.arch.Desc.UXN);
        r.pg.op("mprotect", r.va, r.va + 4096, false);
        assertThat(hw.hazards()).hasSize(1);
        // one report per CPU and VA (the L2 copy is found first); the instruction TLB holds it too
        assertThat(hw.hazards().get(0).toString()).contains("cached executable at EL0, the tables say UXN");
        assertThat(c.tlbLive(itlb)).isEqualTo(1);
        assertThat(hw.access(0, r.va + 0x40, HwModel.IFETCH)).as("the stale entry still lets CPU0 execute").isEqualTo(r.pa + 0x40);
        // with the L2 copy gone, the check finds the instruction TLB's own entry
        c.allTlbs[1].invalidateVaAllAsids(r.va);
        hw.clearHazards();
        assertThat(hw.checkStale(1, r.va, r.va + 4096)).isEqualTo(1);
        assertThat(hw.hazards().get(0).toString()).contains("L1I-TLB entry").contains("the tables say UXN");
        // after the flush, the fetch faults: execute-never at EL0
        r.pg.tlbi(Tlbi.VAALE1IS, r.va, 1, -1);
        r.pg.dsbIsh();
        assertThat(hw.access(0, r.va + 0x40, HwModel.IFETCH)).isEqualTo(-1);
        assertThat(hw.lastFault).isEqualTo(2);
        assertThat(hw.access(0, r.va + 0x40, HwModel.LOAD)).as("loads still work").isEqualTo(r.pa + 0x40);
    }

    /** Fetches are checked against PXN at EL1 (TTBR1) and UXN at EL0, including PXNTable/UXNTable on the way down. */
    @Test
    void fetchPermissionFollowsPxnUxnAndTheTableBits() {
        Region r = Region.standalone(G, 4L << 20, MapSize.PTE);
        HwModel hw = model(r, 1);
        assertThat(hw.access(0, r.va, HwModel.IFETCH)).as("user region: executable at EL0").isEqualTo(r.pa);
        // UXNTable on the PMD-level table descriptor: every page below is execute-never at EL0,
        // also when the walk starts from the walk cache
        long t = r.root;
        for (int level = G.startLevel; level < 2; level++) {
            t = r.pg.peek(t, G.index(level, r.va)) & G.oaMask;
        }
        int idx = G.index(2, r.va);
        r.pg.write(t, idx, r.pg.peek(t, idx) | org.ptlab.arch.Desc.TABLE_UXN);
        r.pg.tlbi(Tlbi.VMALLE1IS, 0, 0, -1);
        r.pg.dsbIsh();
        assertThat(hw.access(0, r.va + 8192, HwModel.LOAD)).isEqualTo(r.pa + 8192);
        assertThat(hw.access(0, r.va + 4096, HwModel.IFETCH)).as("UXNTable, first walk").isEqualTo(-1);
        assertThat(hw.access(0, r.va + 12288, HwModel.IFETCH)).as("UXNTable, via the walk cache").isEqualTo(-1);
        assertThat(hw.cpu(0).stats.permissionFaults).isEqualTo(2);
    }

    /** The core files shipped under scenarios/cores load and mean what their names say. */
    @Test
    void shippedCoreFilesLoad() throws java.io.IOException {
        CoreConfig flat = HwYaml.load(java.nio.file.Path.of("..", "scenarios", "cores", "n1-walk-latency.yaml"));
        assertThat(flat.name).isEqualTo("n1-walk-latency");
        assertThat(flat.caches).isEmpty();
        assertThat(flat.tlbs).hasSize(Presets.get("neoverse-n1").tlbs.size());
        Region r = Region.standalone(G, 64L << 20, MapSize.PTE);
        HwModel hw = new HwModel(r.pg, flat, 1).attach();
        hw.setRoots(r.root, 0);
        hw.access(0, r.va, HwModel.LOAD);
        HwStats s = hw.cpu(0).stats;
        assertThat(s.walkRefs).isEqualTo(4);
        assertThat(s.walkLoads[0]).as("every walker reference served by memory").isEqualTo(4);
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
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("b.yaml:1:7: ").hasMessageContaining("multiple of ways");
        assertThatThrownBy(() -> HwYaml.parse("tlb: []\n", "c.yaml")).hasMessageStartingWith("c.yaml:1:1: unknown key 'tlb'");
        assertThatThrownBy(() -> HwYaml.parse("base: cortex-z9\n", "d.yaml")).hasMessageContaining("unknown core preset");
        assertThat(HwYaml.parse(HwYaml.toYaml(Presets.get("cortex-a72")), "rt.yaml").summary()).isEqualTo(Presets.get("cortex-a72").summary());
    }
}
