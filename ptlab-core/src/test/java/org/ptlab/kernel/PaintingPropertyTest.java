package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Invariants;
import org.ptlab.check.Ptdump;

/**
 * Property: for random memory layouts and configurations, boot keeps every invariant, the
 * counters equal the walk, and every range is mapped exactly as large as the flags and the VA/PA
 * alignment allow: the DirectMap buckets equal a greedy decomposition computed here from first
 * principles (largest allowed size aligned in VA and PA that fits). Fixed seed; QuickTheories
 * prints the falsifying values and shrinks them.
 */
class PaintingPropertyTest {
    private static final int[][] VA = {{39, 48, 52}, {36, 47, 48, 52}, {42, 48, 52}};

    @Test
    void bootIsExactAndMinimal() {
        qt().withFixedSeed(20261123L).withExamples(150)
                .forAll(integers().between(0, 2), integers().between(0, 3), integers().between(0, 255), longs().between(0, 1L << 40))
                .checkAssert(this::check);
    }

    private void check(int granuleIdx, int vaIdx, int flags, long layoutSeed) {
        Granule gr = Granule.values()[granuleIdx];
        int[] vas = VA[granuleIdx];
        KernelConfig cfg = new KernelConfig();
        cfg.granule = gr;
        cfg.vaBits = vas[vaIdx % vas.length];
        cfg.version = KernelVersion.values()[(flags & 3) % 3];
        cfg.rodata = Rodata.values()[(flags >> 2) % 3];
        cfg.bbml2Override = (flags & 16) != 0;
        cfg.debugPagealloc = (flags & 224) == 224;
        if ((flags & 32) != 0) {
            cfg.kfence = true;
            cfg.kfenceSampleInterval = (flags & 64) != 0 ? 100 : 0;
        }
        if ((flags & 128) != 0 && cfg.bbml2Override) {
            cfg.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3"), Cpu.parse("cortex-a57")));
            cfg.bbml2Override = null;
        }
        Geometry g = cfg.geometry();
        MemoryLayout mem = randomLayout(new Random(layoutSeed), g);
        Kernel k = Kernel.boot(cfg, mem);
        String ctx = cfg.summary() + " " + mem;
        assertThat(Invariants.check(k)).as(ctx).isEmpty();
        assertThat(Ptdump.recountDirectMap(k)).as(ctx).containsExactly(k.directMapBytes());
        if (!cfg.version.mapsImageFirst()) {
            // 7.2+ maps the image and data aliases before the memory, and the memory loop keeps what
            // they built (no CONT over their non-CONT edges, no block over their tables): no longer a
            // per-segment greedy decomposition; MapMemOrderTest covers that painting.
            assertThat(expected(k)).as("greedy decomposition for " + ctx).containsExactly(k.directMapBytes());
        }
        long total = 0;
        for (long b : k.directMapBytes()) {
            total += b;
        }
        assertThat(total).as(ctx).isEqualTo(mem.mappedBytes());
    }

    /** 1-3 RAM ranges with holes, page aligned, sizes biased to hit block and CONT alignments. */
    static MemoryLayout randomLayout(Random r, Geometry g) {
        MemoryLayout m = new MemoryLayout();
        long page = g.pageSize;
        long base = (1L << 30) + (r.nextInt(4) == 0 ? r.nextInt(1 << 12) * page : 0);
        int n = 1 + r.nextInt(3);
        long cur = base;
        long maxSize = g.granule == Granule.G64K ? 40L << 30 : 6L << 30;
        for (int i = 0; i < n; i++) {
            long size = Math.max(page, (Math.abs(r.nextLong()) % maxSize) & -page);
            if (r.nextBoolean()) {
                size = (size + g.entrySize(2) - 1) & -g.entrySize(2);
            }
            m.addMemory(cur, cur + size);
            cur += size + (r.nextInt(3) == 0 ? 0 : (1 + r.nextInt(64)) * page * (r.nextBoolean() ? 1 : 512));
        }
        MemoryLayout.Range first = m.memory().get(0);
        if (first.size() > 64 * page && r.nextInt(4) != 0) {
            long s = first.start() + ((r.nextInt((int) Math.min(1 << 20, first.size() / page / 2))) * page);
            long e = Math.min(first.end(), s + (1 + r.nextInt(8192)) * page);
            m.kernelImage(s, e);
        }
        if (r.nextInt(3) == 0) {
            MemoryLayout.Range last = m.memory().get(m.memory().size() - 1);
            long s = last.start() + (last.size() / 2 & -page);
            m.addNomap(s, Math.min(last.end(), s + (1 + r.nextInt(1024)) * page));
        }
        return m;
    }

    /** Greedy: at each VA the largest size allowed by the flags, aligned in VA and PA, that fits. */
    static long[] expected(Kernel k) {
        Geometry g = k.geo;
        long[] out = new long[MapSize.VALUES.length];
        long as = k.mem.stext();
        long ae = k.mem.initBegin();
        long ps = k.kfencePool;
        long pe = k.kfencePool + k.kfencePoolSize;
        boolean outsideNoBlock = k.forcePteMapping || k.repaintedAtBoot;
        boolean aliasNoBlock = (k.aliasFlags & Mmu.NO_BLOCK_MAPPINGS) != 0;
        for (MemoryLayout.Range r : k.mem.mappedRanges()) {
            long[] cuts = {r.start(), r.end(), as, ae, ps, pe};
            java.util.Arrays.sort(cuts);
            for (int i = 0; i + 1 < cuts.length; i++) {
                long s = Math.max(cuts[i], r.start());
                long e = Math.min(cuts[i + 1], r.end());
                if (s >= e) {
                    continue;
                }
                boolean alias = s >= as && e <= ae && ae > as;
                boolean pool = ps != 0 && s >= ps && e <= pe;
                boolean noBlock = alias ? aliasNoBlock : (pool || outsideNoBlock);
                boolean noCont = alias || noBlock;
                greedy(g, k, s, e, noBlock, noCont, out);
            }
        }
        return out;
    }

    private static void greedy(Geometry g, Kernel k, long s, long e, boolean noBlock, boolean noCont, long[] out) {
        MapSize[] order = {MapSize.PUD, MapSize.CONT_PMD, MapSize.PMD, MapSize.CONT_PTE, MapSize.PTE};
        long pa = s;
        while (pa < e) {
            long va = k.physToVirt(pa);
            for (MapSize m : order) {
                if (m == MapSize.PUD && !g.hasPud()) {
                    continue;
                }
                if (noBlock && m.level() < 3) {
                    continue;
                }
                if (noCont && m.cont()) {
                    continue;
                }
                long sz = g.size(m);
                if ((pa & (sz - 1)) == 0 && (va & (sz - 1)) == 0 && pa + sz <= e) {
                    out[m.ordinal()] += sz;
                    pa += sz;
                    break;
                }
            }
        }
    }
}
