package org.ptlab.hw;

import java.util.List;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;

/**
 * One modelled CPU: its TLB levels, walk cache, private data caches (plus the shared last level, if
 * any), its translation roots (TTBR0_EL1, TTBR1_EL1) and its counters.
 */
public final class HwCpu {
    public final int id;
    public final CoreConfig cfg;
    final XlatCache[] tlbs;
    /** Per TLB level: for each source kind, the kind the level stores it as (splintering), or -1. */
    final int[][] storeKind;
    /** The instruction TLB (used by fetches instead of tlbs[0]), or null; its stats index and store kinds. */
    final XlatCache itlb;
    final int itlbStat;
    final int[] itlbStoreKind;
    /** Every TLB of the CPU (tlbs, then itlb): what maintenance and the hazard checks scan. */
    final XlatCache[] allTlbs;
    final XlatCache wc;
    /** wcLevel[level + 1]: whether table descriptors read at that level are cached. */
    final boolean[] wcLevel = new boolean[5];
    final LineCache[] caches;
    final int memLat;
    final boolean modelData;
    public final HwStats stats;
    long ttbr0;
    long ttbr1;
    /** The current ASID (cpu_switch_mm) and its tag for entries below TTBR0 (see XlatCache.ASID_SHIFT). */
    int asid;
    long asidTag = XlatCache.asidTag(0);
    /** Pending TLBIs (issued, not yet completed by a DSB): op ordinal, va, pages. */
    int[] pendOp = new int[16];
    long[] pendVa = new long[16];
    long[] pendPages = new long[16];
    int[] pendAsid = new int[16];
    int pending;

    HwCpu(int id, CoreConfig cfg, Geometry geo, int[] kindShift, int[] levelKindShift, LineCache shared) {
        this.id = id;
        this.cfg = cfg;
        List<CoreConfig.TlbLevel> tl = new java.util.ArrayList<>(cfg.tlbs);
        if (cfg.itlb != null) {
            tl.add(cfg.itlb);
        }
        allTlbs = new XlatCache[tl.size()];
        storeKind = new int[tl.size()][5];
        String[] tn = new String[tl.size()];
        for (int i = 0; i < tl.size(); i++) {
            CoreConfig.TlbLevel t = tl.get(i);
            allTlbs[i] = new XlatCache(t.name, t.entries, t.ways, t.latency, kindShift);
            tn[i] = t.name;
            for (MapSize k : MapSize.VALUES) {
                int store = -1;
                if (k == MapSize.PUD && !geo.hasPud()) {
                    storeKind[i][k.ordinal()] = -1;
                    continue;
                }
                for (int j = k.ordinal(); j >= 0; j--) {
                    if (t.sizes == null || t.sizes.isEmpty() || t.sizes.contains(MapSize.VALUES[j])) {
                        store = j;
                        break;
                    }
                }
                storeKind[i][k.ordinal()] = store;
            }
        }
        tlbs = java.util.Arrays.copyOf(allTlbs, cfg.tlbs.size());
        itlbStat = cfg.tlbs.size();
        itlb = cfg.itlb != null ? allTlbs[itlbStat] : null;
        itlbStoreKind = cfg.itlb != null ? storeKind[itlbStat] : null;
        CoreConfig.WalkCacheConfig w = cfg.walkCache;
        if (w != null && w.entries > 0) {
            wc = new XlatCache("walk cache", w.entries, w.ways, w.latency, levelKindShift);
            for (int l = geo.startLevel; l < 3; l++) {
                wcLevel[l + 1] = w.levels == null || w.levels.isEmpty() || w.levels.contains(l);
            }
        } else {
            wc = null;
        }
        int n = cfg.caches.size();
        caches = new LineCache[n];
        String[] cn = new String[n];
        for (int i = 0; i < n; i++) {
            CoreConfig.CacheLevel c = cfg.caches.get(i);
            caches[i] = c.shared && shared != null ? shared : new LineCache(c);
            cn[i] = c.name;
        }
        memLat = cfg.memoryLatency;
        privateL1 = n > 0 && !cfg.caches.get(0).shared;
        modelData = cfg.modelDataAccesses;
        stats = new HwStats(tn, cn, cfg.tlbs.size());
    }

    /** Whether this CPU has BBML2_NOABORT. */
    public boolean bbml2NoAbort() {
        return cfg.bbml2NoAbort;
    }

    /**
     * The line the first cache level saw last: it is the most recently used line of its set, so a
     * repeated access to it is a hit that changes nothing, and can skip the set.
     */
    private long lastLine = -1;
    private final boolean privateL1;

    /** A load through the cache hierarchy; returns its cycles and counts where it was served. */
    int load(long pa, long[] served) {
        LineCache[] cs = caches;
        if (cs.length == 0) {
            served[0]++;
            return memLat;
        }
        long line = pa >>> cs[0].lineShift;
        if (line == lastLine && privateL1) {
            served[0]++;
            return cs[0].latency;
        }
        lastLine = line;
        for (int i = 0; i < cs.length; i++) {
            if (cs[i].access(pa)) {
                served[i]++;
                return cs[i].latency;
            }
        }
        served[cs.length]++;
        return memLat;
    }

    /** Drop every TLB and walk-cache entry and every cached line (a cold CPU). */
    public void flushAll() {
        for (XlatCache t : allTlbs) {
            t.clear();
        }
        if (wc != null) {
            wc.clear();
        }
        for (LineCache c : caches) {
            c.clear();
        }
        lastLine = -1;
    }

    /** Number of valid entries in a TLB level (the instruction TLB, if any, is the last index). */
    public int tlbLive(int level) {
        return allTlbs[level].live;
    }

    public int walkCacheLive() {
        return wc == null ? 0 : wc.live;
    }

    void pushPending(int op, long va, long pages, int asidArg) {
        if (pending == pendOp.length) {
            pendOp = java.util.Arrays.copyOf(pendOp, pending * 2);
            pendVa = java.util.Arrays.copyOf(pendVa, pending * 2);
            pendPages = java.util.Arrays.copyOf(pendPages, pending * 2);
            pendAsid = java.util.Arrays.copyOf(pendAsid, pending * 2);
        }
        pendOp[pending] = op;
        pendVa[pending] = va;
        pendPages[pending] = pages;
        pendAsid[pending] = asidArg;
        pending++;
    }

    /** The current ASID. */
    public int asid() {
        return asid;
    }
}
