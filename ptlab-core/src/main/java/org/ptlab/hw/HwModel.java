package org.ptlab.hw;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.pgtable.Tlbi;

/**
 * The hardware that walks and caches the modelled translation tables: N CPUs, each with a TLB
 * hierarchy, a walk cache and data caches, translating VAs through the tables of a {@link Pgtable}
 * rooted at TTBR0_EL1 / TTBR1_EL1 (bit 63 of the VA selects). It is a {@link PgtableObserver}: TLB
 * maintenance issued by kernel code (TLBI through {@code Pgtable.tlbi}, completed by the issuing
 * CPU's {@code DSB ISH}) invalidates its entries, and descriptor writes, table frees and the ends of
 * kernel operations drive three hazard checks:
 *
 * <ul>
 *   <li>stale translation: when an operation returns ({@code pg.op(name, start, end, false)}), no
 *       CPU may hold a TLB entry for [start, end) that is more permissive than the tables (writable
 *       where they say read-only, valid where they say invalid, executable where they say PXN, or
 *       another output address);
 *   <li>TLB conflict: a live change of the mapping size at a VA (block to table, table to block,
 *       Contiguous bit flipped, without an invalid entry in between) while a CPU lacking
 *       BBML2_NOABORT caches a translation of that VA of the old size, or such a CPU filling an entry
 *       next to an entry of another size for the same VA;
 *   <li>freed-table walk: a table page freed while a walk cache still holds a descriptor pointing to
 *       it or read from it (missing {@code __flush_tlb_kernel_pgtable}).
 * </ul>
 *
 * <p>The walker reads descriptors with {@link Pgtable#peek} (hardware loads: no kernel scheduling
 * point, no observer callback), the upper levels through a host-side {@link WalkMemo} that is
 * valid only while the tables are unchanged. Translation is one engine, {@link #replay}. Depends only on arch and pgtable, so any table tree (the kernel's
 * linear map, a user mm, a standalone region) can be walked by giving its root PA.
 */
public final class HwModel implements PgtableObserver {
    public static final byte LOAD = 0;
    public static final byte STORE = 1;
    public static final byte IFETCH = 2;

    public final Pgtable pg;
    public final Geometry geo;
    private final HwCpu[] cpus;
    private final int start;
    /** Shift of each MapSize kind. */
    final int[] kindShift = new int[8];
    /** Shift of each level, indexed level + 1 (walk-cache kinds). */
    final int[] levelShift = new int[8];
    private final long[] idxMask = new long[5];
    private final long oaMask;
    private final long pageSize;
    private final long ttbr1Base;

    // table page -> first VA it maps (by slot), for turning a descriptor write into a VA range
    private long[] tblVa = new long[1024];
    private boolean[] tblKnown = new boolean[1024];

    // hazard checking
    private boolean checks = true;
    private boolean deferTlbiToDsb = true;
    private boolean sizeChanged;
    private final List<Hazard> hazards = new ArrayList<>();
    private long hazardCount;
    private int maxHazards = 1000;
    private final String[] opName;
    private final long[] opA0;
    private final long[] opA1;
    /** Per CPU: the operations it is inside, outermost first (name, range), for nesting. */
    private final OpStack[] opStack;

    /** Operations run under stop_machine: while one runs, the other CPUs are parked off the tables. */
    private final java.util.Set<String> stopMachineOps = new java.util.HashSet<>(java.util.Set.of("linear_map_maybe_split_to_ptes"));
    /** The CPU running a stop_machine operation, or -1. */
    private int stopMachineCpu = -1;

    /** Last fault of {@link #access}: 0 none, 1 translation, 2 permission. */
    public int lastFault;

    /** CPUs with the given core configs (one per CPU). */
    public HwModel(Pgtable pg, List<CoreConfig> perCpu) {
        if (perCpu.isEmpty()) {
            throw new IllegalArgumentException("at least one CPU expected");
        }
        this.pg = pg;
        this.geo = pg.geo;
        this.start = geo.startLevel;
        this.oaMask = geo.oaMask;
        this.pageSize = geo.pageSize;
        this.ttbr1Base = -(1L << geo.vaBits);
        this.memo = new WalkMemo(pg);
        for (MapSize k : MapSize.VALUES) {
            kindShift[k.ordinal()] = Long.numberOfTrailingZeros(geo.size(k));
        }
        for (int l = start; l <= 3; l++) {
            levelShift[l + 1] = geo.shift(l);
            idxMask[l + 1] = geo.entries(l) - 1;
        }
        LineCache shared = null;
        CoreConfig first = perCpu.get(0).validate();
        if (!first.caches.isEmpty() && first.caches.get(first.caches.size() - 1).shared) {
            shared = new LineCache(first.caches.get(first.caches.size() - 1));
        }
        cpus = new HwCpu[perCpu.size()];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = new HwCpu(i, perCpu.get(i).validate(), geo, kindShift, levelShift, shared);
        }
        opName = new String[cpus.length];
        opA0 = new long[cpus.length];
        opA1 = new long[cpus.length];
        opStack = new OpStack[cpus.length];
        for (int i = 0; i < cpus.length; i++) {
            opStack[i] = new OpStack();
        }
    }

    /**
     * n CPUs of one core whose BBML2_NOABORT is decided per CPU (by whoever knows the CPUs: the
     * kernel's per-MIDR check), attached to pg as an observer, TTBR1 at ttbr1.
     */
    public static HwModel perCpu(Pgtable pg, CoreConfig core, int n, java.util.function.IntPredicate bbml2NoAbort, long ttbr1) {
        List<CoreConfig> per = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CoreConfig c = core.copy();
            c.bbml2NoAbort = bbml2NoAbort.test(i);
            per.add(c);
        }
        HwModel hw = new HwModel(pg, per).attach();
        hw.setRoots(0, ttbr1);
        return hw;
    }

    /** n CPUs of the same core. */
    public HwModel(Pgtable pg, CoreConfig core, int n) {
        this(pg, nCopies(core, n));
    }

    private static List<CoreConfig> nCopies(CoreConfig c, int n) {
        if (n < 1 || n > 1024) {
            throw new IllegalArgumentException("CPU count " + n + ": expected 1..1024");
        }
        List<CoreConfig> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(c);
        }
        return l;
    }

    /**
     * Declare an operation that runs under stop_machine (the other CPUs spin off the tables, so a
     * live size change cannot conflict in their TLBs; stale entries they keep are still checked when
     * the operation returns). {@code linear_map_maybe_split_to_ptes} is declared by default.
     */
    public HwModel stopMachineOp(String name) {
        stopMachineOps.add(name);
        return this;
    }

    /** Attach to the table store as an observer (TLBI, writes, frees, operations). */
    public HwModel attach() {
        pg.addObserver(this);
        return this;
    }

    public void detach() {
        pg.removeObserver(this);
    }

    public int cpuCount() {
        return cpus.length;
    }

    public HwCpu cpu(int i) {
        return cpus[i];
    }

    /** Turn the hazard checks on or off (off for pure performance replays). */
    public HwModel checks(boolean on) {
        this.checks = on;
        return this;
    }

    /**
     * Whether TLBIs take effect at the issuing CPU's next DSB (true, the architecture's completion
     * rule) or immediately.
     */
    public HwModel deferTlbiToDsb(boolean on) {
        this.deferTlbiToDsb = on;
        return this;
    }

    /**
     * Point every CPU's TTBR0_EL1 / TTBR1_EL1 at root tables (0 = none) and learn which VA each
     * reachable table page maps (a scan of the trees through peek).
     */
    public void setRoots(long ttbr0, long ttbr1) {
        for (HwCpu c : cpus) {
            c.ttbr0 = ttbr0;
            c.ttbr1 = ttbr1;
            c.asid = 0;
            c.asidTag = XlatCache.asidTag(0);
        }
        asidRoot.put(0, ttbr0);
        if (ttbr0 != 0) {
            learn(ttbr0, start, 0);
        }
        if (ttbr1 != 0) {
            learn(ttbr1, start, ttbr1Base);
        }
    }

    /**
     * {@code cpu_switch_mm}: point one CPU's TTBR0_EL1 at a user mm's pgd and make asid current.
     * Entries of other ASIDs stay in the TLBs (tagged) and match again when their ASID returns;
     * nothing is invalidated, as on arm64 with ASIDs (only a rollover flushes, with TLBI VMALLE1IS).
     */
    public void switchMm(int cpuId, long pgd, int asid) {
        HwCpu c = cpus[cpuId];
        c.asidTag = XlatCache.asidTag(asid);
        c.asid = asid;
        c.ttbr0 = pgd;
        Long known = asidRoot.put(asid, pgd);
        if (pgd != 0 && (known == null || known != pgd)) {
            learn(pgd, start, 0);
        }
    }

    /** The pgd last made current with each ASID: where the stale check walks another ASID's entries. */
    private final java.util.Map<Integer, Long> asidRoot = new java.util.HashMap<>();

    private void learn(long table, int level, long va) {
        setTableVa(table, va);
        if (level == 3) {
            return;
        }
        int n = geo.entries(level);
        long size = geo.entrySize(level);
        for (int i = 0; i < n; i++) {
            long d = pg.peek(table, i);
            if (Desc.valid(d) && Desc.isTable(d)) {
                learn(d & oaMask, level + 1, va + i * size);
            }
        }
    }

    private void setTableVa(long tablePa, long va) {
        if (!pg.isLiveTable(tablePa)) {
            return;
        }
        int s = pg.slot(tablePa);
        if (s >= tblVa.length) {
            int n = Math.max(s + 1, tblVa.length * 2);
            tblVa = Arrays.copyOf(tblVa, n);
            tblKnown = Arrays.copyOf(tblKnown, n);
        }
        tblVa[s] = va;
        tblKnown[s] = true;
    }

    private boolean tableVaKnown(long tablePa) {
        int s = pg.slot(tablePa);
        return s >= 0 && s < tblKnown.length && tblKnown[s];
    }

    // ================================================================== translation (hot path)

    /**
     * One access by a CPU: TLB lookup by level, a table walk on a miss (filling every level), the
     * permission check, and the data access through the caches. Returns the PA, or -1 on a fault
     * ({@link #lastFault} says which). Adds the modelled cycles to the CPU's counters. The same
     * engine as {@link #replay}, for one access.
     */
    public long access(int cpuId, long va, int type) {
        long[] one = this.one;
        one[0] = va;
        replay(cpuId, one, null, type, 0, 1);
        return lastPa;
    }

    private final long[] one = new long[1];
    /** The PA of the access {@link #replay} performed last, or -1 if it faulted. */
    private long lastPa;

    /**
     * Replay accesses vas[from, to) on one CPU, each of type types[i] ({@link #LOAD}, {@link
     * #STORE}, {@link #IFETCH}), or all of type when types is null. Stops after an access that
     * faults ({@link #lastFault} says which; the caller may serve the fault and repeat it) and
     * returns its index; returns to when none faulted. Per access exactly what {@link #access}
     * does; counters are kept in locals and stored when it returns.
     *
     * <p>This is the translation engine. Everything a miss needs is inlined in one loop so the
     * host keeps the CPU's structures in registers across accesses; the walk reads the upper
     * descriptors through the {@link WalkMemo} (independent loads instead of a chain through the
     * table store) while still charging every descriptor load to the walk cache and line caches.
     * Rare work (the TLB-conflict check while a size change is pending) is out of line.
     */
    public int replay(int cpuId, long[] vas, byte[] types, int type, int from, int to) {
        HwCpu c = cpus[cpuId];
        HwStats s = c.stats;
        XlatCache[] t = c.tlbs;
        int nt = t.length;
        XlatCache dtlb = t[0];
        XlatCache itlb = c.itlb != null ? c.itlb : dtlb;
        int ifirst = c.itlb != null ? c.itlbStat : 0;
        long tag = c.asidTag;
        boolean modelData = c.modelData;
        long[] tlbHits = s.tlbHits;
        long[] tlbMisses = s.tlbMisses;
        long[] served = s.walkLoads;
        XlatCache wc = c.wc;
        boolean[] wcLevel = c.wcLevel;
        WalkMemo m = memo;
        long[] md = m.e;
        int[] lsh = levelShift;
        long[] im = idxMask;
        int[][] storeKind = c.storeKind;
        // no table is written while a batch runs, so a pending size change stays as it is
        boolean conflictChecks = sizeChanged && checks && !c.cfg.bbml2NoAbort;
        // without line caches every walker load costs memLat and is served by memory
        boolean flatLoads = c.caches.length == 0;
        int memLat = c.memLat;
        // nothing a batch does writes the tables or switches the CPU's roots
        long gen = pg.gen();
        long ttbr0 = c.ttbr0;
        long ttbr1 = c.ttbr1;
        int vaBits = geo.vaBits;
        long accesses = 0;
        long cycles = 0;
        long walks = 0;
        long walkRefs = 0;
        long walkCycles = 0;
        long wcHits = 0;
        long firstHits = 0;
        long firstMisses = 0;
        long secondHits = 0;
        long secondMisses = 0;
        int fault = 0;
        long pa = -1;
        int i = from;
        for (; i < to; i++) {
            long va = vas[i];
            int ty = types == null ? type : types[i];
            long tva = va | (tag & ~(va >> 63));
            accesses++;
            XlatCache l1 = dtlb;
            int first = 0;
            if (ty == IFETCH) {
                l1 = itlb;
                first = ifirst;
            }
            long attr;
            int w = l1.lookup(tva);
            if (w >= 0) {
                firstHits += first == 0 ? 1 : 0;
                tlbHits[first] += first == 0 ? 0 : 1;
                pa = l1.val[w] + (va & ((1L << l1.shift[l1.kindOf(w)]) - 1));
                attr = l1.aux[w];
            } else {
                firstMisses += first == 0 ? 1 : 0;
                tlbMisses[first] += first == 0 ? 0 : 1;
                int hitLevel = nt;
                for (int lv = 1; lv < nt; lv++) {
                    XlatCache h = t[lv];
                    cycles += h.latency;
                    w = h.lookup(tva);
                    if (w >= 0) {
                        hitLevel = lv;
                        if (lv == 1) {
                            secondHits++;
                        } else {
                            tlbHits[lv]++;
                        }
                        break;
                    }
                    if (lv == 1) {
                        secondMisses++;
                    } else {
                        tlbMisses[lv]++;
                    }
                }
                int src;
                if (hitLevel < nt) {
                    XlatCache h = t[hitLevel];
                    pa = h.val[w] + (va & ((1L << h.shift[h.kindOf(w)]) - 1));
                    attr = h.aux[w];
                    src = h.src[w];
                } else {
                    // the table walk: from TTBR0 or TTBR1 (bit 63), or from a walk-cache entry
                    walks++;
                    long table;
                    if (va < 0) {
                        table = va < ttbr1Base ? 0 : ttbr1;
                    } else {
                        table = (va >>> vaBits) != 0 ? 0 : ttbr0;
                    }
                    if (table == 0) {
                        fault = 1;
                        break;
                    }
                    long root = table;
                    int level = start;
                    long cyc = 0;
                    long tx = 0;
                    if (wc != null) {
                        cyc = wc.latency;
                        if (wc.kindMask != 0) {
                            for (int l = 2; l >= start; l--) {
                                if (!wcLevel[l + 1]) {
                                    continue;
                                }
                                int ww = wc.lookup(tva, l + 1);
                                if (ww >= 0) {
                                    table = wc.val[ww];
                                    tx = wc.aux[ww] & TABLE_XN;
                                    level = l + 1;
                                    wcHits++;
                                    break;
                                }
                            }
                        }
                    }
                    // the memo's path is this walk's only if the walk starts on it (a stale
                    // walk-cache entry can start it on a table the tables no longer reach); then
                    // it holds every descriptor above its leaf level as the tables hold it now
                    int mi = m.entry(va, root, gen);
                    boolean onPath = level == start || m.tableAt(mi, level, root) == table;
                    int memoLeaf = onPath ? m.leaf(mi) : start;
                    // the leaf table as a run: its descriptor is first + idx * step
                    int runLevel = onPath && m.leafRun(mi) ? memoLeaf : -1;
                    int mb = mi + 4;
                    int firstLevel = level;
                    // the levels whose table descriptors the memo holds: in one step when there
                    // is nothing to model per level (no line caches, no walk cache). This loop
                    // repeats the table branch of the one below on purpose: folding the two into
                    // one loop measured slower in A/B runs (three starts each: hits 107-114M
                    // against 122-152M, misses through the line caches 9.0M against 9.9M)
                    if (flatLoads && wc == null && onPath) {
                        table = md[mi + 10];
                        tx |= md[mi + 11];
                        level = memoLeaf;
                    }
                    for (; level < memoLeaf; level++) {
                        long d = md[mb + level];
                        if (!flatLoads) {
                            cyc += c.load(table + ((va >>> lsh[level + 1]) & im[level + 1]) * 8, served);
                        }
                        long next = d & oaMask;
                        tx |= d & TABLE_XN;
                        if (wc != null && wcLevel[level + 1]) {
                            wc.fill(tva, level + 1, next, table | tx, level + 1);
                        }
                        table = next;
                    }
                    pa = -1;
                    attr = 0;
                    src = 0;
                    // the rest from the tables: the leaf (or where the walk faults)
                    for (;;) {
                        int idx = (int) ((va >>> lsh[level + 1]) & im[level + 1]);
                        if (!flatLoads) {
                            cyc += c.load(table + ((long) idx << 3), served);
                        }
                        long d = level == runLevel ? md[mi + 8] + idx * md[mi + 9] : pg.peek(table, idx);
                        if ((d & Desc.VALID) == 0) {
                            break;
                        }
                        if (level < 3 && (d & Desc.TYPE_MASK) == Desc.TYPE_TABLE) {
                            long next = d & oaMask;
                            tx |= d & TABLE_XN;
                            if (wc != null && wcLevel[level + 1]) {
                                wc.fill(tva, level + 1, next, table | tx, level + 1);
                            }
                            table = next;
                            level++;
                            continue;
                        }
                        if (level < 3 && !geo.blockAllowed(level)) {
                            break;
                        }
                        boolean cont = (d & Desc.CONT) != 0 && level >= 2;
                        src = level == 3 ? (cont ? 1 : 0) : level == 2 ? (cont ? 3 : 2) : 4;
                        attr = leafAttr(d, tx);
                        long esize = 1L << lsh[level + 1];
                        pa = (d & oaMask & -esize) + (va & (esize - 1));
                        break;
                    }
                    int refs = level - firstLevel + 1;
                    walkRefs += refs;
                    if (flatLoads) {
                        served[0] += refs;
                        cyc += (long) memLat * refs;
                    }
                    cycles += cyc;
                    walkCycles += cyc;
                    if (pa < 0) {
                        fault = 1;
                        break;
                    }
                }
                // fill the levels searched, nearest last (level 0 is the first level used: the
                // data or the instruction TLB). Written out here, not in a helper: the JIT
                // compiles a hot helper on its own first and then refuses to inline the big
                // result into this loop.
                for (int lv = hitLevel - 1; lv >= 0; lv--) {
                    XlatCache h = lv == 0 ? l1 : t[lv];
                    int k = storeKind[lv == 0 ? first : lv][src];
                    if (k >= 0) {
                        if (conflictChecks) {
                            checkFillConflict(c, h, va, src);
                        }
                        long base = pa - (va & ((1L << kindShift[k]) - 1));
                        if (h.fa) {
                            h.fillAbsentFa(tva, k, base, attr, src);
                        } else {
                            h.fillAbsentSet(tva, k, base, attr, src);
                        }
                    }
                }
            }
            if (ty != LOAD && (attr & (ty == STORE ? Desc.RDONLY : xnFor(va))) != 0) {
                fault = 2;
                break;
            }
            if (modelData) {
                cycles += c.load(pa, s.dataLoads);
            }
        }
        s.accesses += accesses;
        s.cycles += cycles;
        s.walks += walks;
        s.walkRefs += walkRefs;
        s.walkCycles += walkCycles;
        s.walkCacheHits += wcHits;
        tlbHits[0] += firstHits;
        tlbMisses[0] += firstMisses;
        if (nt > 1) {
            tlbHits[1] += secondHits;
            tlbMisses[1] += secondMisses;
        }
        if (fault != 0) {
            if (fault == 1) {
                s.translationFaults++;
            } else {
                s.permissionFaults++;
            }
            lastFault = fault;
            lastPa = -1;
            return i;
        }
        lastFault = 0;
        lastPa = pa;
        return to;
    }

    /** The hierarchical execute-never bits of table descriptors (PXNTable, UXNTable). */
    static final long TABLE_XN = Desc.TABLE_PXN | Desc.TABLE_UXN;

    /**
     * A leaf's attributes as a TLB caches them: its own, with PXN / UXN forced by a PXNTable /
     * UXNTable seen on the way down (the walk cache keeps that accumulation with each entry).
     */
    private static long leafAttr(long d, long tableXn) {
        return (d & ~Desc.OA_MASK) | ((tableXn & Desc.TABLE_PXN) != 0 ? Desc.PXN : 0) | ((tableXn & Desc.TABLE_UXN) != 0 ? Desc.UXN : 0);
    }

    /** The execute-never bit that governs a fetch from va: PXN for EL1 (TTBR1), UXN for EL0 (TTBR0). */
    private static long xnFor(long va) {
        return va < 0 ? Desc.PXN : Desc.UXN;
    }

    /** Host-side memo of walk paths (see WalkMemo). */
    private final WalkMemo memo;

    /**
     * What a CPU would translate va to right now, without changing any state: its TLBs first, then
     * a walk through its walk cache. Returns the PA or -1; {@link #probeAttr} gets the attributes.
     */
    public long probe(int cpuId, long va) {
        HwCpu c = cpus[cpuId];
        long tva = XlatCache.tagged(va, c.asidTag);
        for (XlatCache t : c.allTlbs) {
            int m = t.kindMask;
            while (m != 0) {
                int k = Integer.numberOfTrailingZeros(m);
                m &= m - 1;
                int w = t.probe(tva, k);
                if (w >= 0) {
                    probeAttr = t.aux[w];
                    probeFromTlb = true;
                    return t.val[w] + (va & ((1L << kindShift[k]) - 1));
                }
            }
        }
        probeFromTlb = false;
        return refWalk(va, true, c);
    }

    public long probeAttr;
    public boolean probeFromTlb;
    private int refLevel;

    /** Walk the tables from the root (optionally through a CPU's walk cache) without side effects. */
    private long refWalk(long va, boolean useWc, HwCpu c) {
        return refWalk(va, useWc, c, c != null ? c.ttbr0 : cpus[0].ttbr0);
    }

    /** As {@link #refWalk(long, boolean, HwCpu)} with an explicit TTBR0 (another ASID's tables). */
    private long refWalk(long va, boolean useWc, HwCpu c, long ttbr0) {
        long table = va < 0 ? (c != null ? c.ttbr1 : cpus[0].ttbr1) : ttbr0;
        long tx = 0;
        int level = start;
        refLevel = start;
        if (table == 0 || (va < 0 ? va < ttbr1Base : (va >>> geo.vaBits) != 0)) {
            return -1;
        }
        if (useWc && c != null && c.wc != null) {
            for (int l = 2; l >= start; l--) {
                if (!c.wcLevel[l + 1]) {
                    continue;
                }
                int w = c.wc.probe(XlatCache.tagged(va, ttbr0 == c.ttbr0 ? c.asidTag : 0), l + 1);
                if (w >= 0) {
                    table = c.wc.val[w];
                    tx = c.wc.aux[w] & TABLE_XN;
                    level = l + 1;
                    break;
                }
            }
        }
        for (;;) {
            refLevel = level;
            int idx = (int) ((va >>> levelShift[level + 1]) & idxMask[level + 1]);
            if (!pg.isLiveTable(table)) {
                return -1;
            }
            long d = pg.peek(table, idx);
            if ((d & Desc.VALID) == 0) {
                return -1;
            }
            if (level < 3 && Desc.isTable(d)) {
                table = d & oaMask;
                tx |= d & TABLE_XN;
                level++;
                continue;
            }
            probeAttr = leafAttr(d, tx);
            long esize = 1L << levelShift[level + 1];
            return (d & oaMask & -esize) + (va & (esize - 1));
        }
    }

    // ================================================================== observer: maintenance

    @Override
    public void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {
        if (deferTlbiToDsb) {
            cpus[cpu].pushPending(op.ordinal(), va, pages, asid);
        } else {
            applyTlbi(cpu, op, va, pages, asid);
        }
    }

    @Override
    public void onBarrier(int cpu, Barrier b) {
        HwCpu c = cpus[cpu];
        if (c.pending == 0 || (b != Barrier.DSB_ISH && b != Barrier.DSB_NSH)) {
            return;
        }
        Tlbi[] ops = Tlbi.values();
        int kept = 0;
        for (int i = 0; i < c.pending; i++) {
            Tlbi op = ops[c.pendOp[i]];
            if (b == Barrier.DSB_NSH && op.broadcast) {
                // a local DSB does not wait for broadcast maintenance
                c.pendOp[kept] = c.pendOp[i];
                c.pendVa[kept] = c.pendVa[i];
                c.pendPages[kept] = c.pendPages[i];
                c.pendAsid[kept] = c.pendAsid[i];
                kept++;
                continue;
            }
            applyTlbi(cpu, op, c.pendVa[i], c.pendPages[i], c.pendAsid[i]);
        }
        c.pending = kept;
    }

    /**
     * Apply one TLBI to its target CPUs. By-ASID forms (VALE1IS, VAE1IS, RVALE1IS, ASIDE1IS) reach
     * the entries of that ASID and global ones; all-ASID forms every entry for the VA.
     */
    void applyTlbi(int issuer, Tlbi op, long va, long pages, int asid) {
        int from = op.broadcast ? 0 : issuer;
        int to = op.broadcast ? cpus.length : issuer + 1;
        for (int i = from; i < to; i++) {
            HwCpu c = cpus[i];
            if (op == Tlbi.VMALLE1IS || op == Tlbi.VMALLE1) {
                for (XlatCache t : c.allTlbs) {
                    t.clear();
                }
                if (c.wc != null) {
                    c.wc.clear();
                }
                continue;
            }
            if (op == Tlbi.ASIDE1IS) {
                for (XlatCache t : c.allTlbs) {
                    t.invalidateAsid(asid);
                }
                if (c.wc != null) {
                    c.wc.invalidateAsid(asid);
                }
                continue;
            }
            boolean oneAsid = op.byAsid && asid >= 0;
            long n = Math.max(1, pages);
            long end = va + n * pageSize;
            invalidate(c.allTlbs, va, end, n, oneAsid, asid);
            if (!op.lastLevel && c.wc != null) {
                invalidate(new XlatCache[] {c.wc}, va, end, n, oneAsid, asid);
            }
        }
    }

    private static void invalidate(XlatCache[] ts, long va, long end, long n, boolean oneAsid, int asid) {
        for (XlatCache t : ts) {
            if (n == 1 && oneAsid) {
                t.invalidateVa(va);
                if (va >= 0) {
                    t.invalidateVa(XlatCache.tagged(va, XlatCache.asidTag(asid)));
                }
            } else if (n == 1) {
                t.invalidateVaAllAsids(va);
            } else {
                t.invalidateRange(va, end, oneAsid ? asid : -1);
            }
        }
    }

    // ================================================================== observer: tables

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (level < 3 && Desc.valid(val) && Desc.isTable(val) && tableVaKnown(tablePa)) {
            setTableVa(val & oaMask, tblVa[pg.slot(tablePa)] + ((long) idx << levelShift[level + 1]));
        }
        if (checks && Desc.valid(old) && old != val && opStack[cpu].depth > 0 && tableVaKnown(tablePa)) {
            // a valid descriptor rewritten inside an operation: TLBs may cache what it said
            long va = tblVa[pg.slot(tablePa)] + ((long) idx << levelShift[level + 1]);
            opStack[cpu].wrote(va, va + (1L << levelShift[level + 1]));
        }
        if (!checks || !Desc.valid(old) || !Desc.valid(val)) {
            return;
        }
        int ok = kindOf(level, old);
        int nk = kindOf(level, val);
        if (ok == nk) {
            return;
        }
        sizeChanged = true;
        if (!tableVaKnown(tablePa)) {
            return;
        }
        long va = tblVa[pg.slot(tablePa)] + ((long) idx << levelShift[level + 1]);
        long size = 1L << levelShift[level + 1];
        if (Desc.cont(old) || Desc.cont(val)) {
            long cs = geo.contSize(level);
            va &= -cs;
            size = cs;
        }
        for (HwCpu c : cpus) {
            if (c.cfg.bbml2NoAbort || (stopMachineCpu >= 0 && c.id != stopMachineCpu)) {
                continue;
            }
            levels:
            for (XlatCache t : c.allTlbs) {
                if (t.live == 0) {
                    continue;
                }
                for (int w = 0; w < t.key.length; w++) {
                    if (t.key[w] != 0 && t.src[w] != nk && t.overlaps(w, va, va + size)) {
                        report(Hazard.Kind.TLB_CONFLICT, cpu, c.id, va,
                                String.format("live change %s -> %s at %s[%d] (0x%x..0x%x) without break-before-make while %s holds %s; "
                                                + "a walk may now fill a %s entry beside it (no BBML2_NOABORT)",
                                        kindName(ok), kindName(nk), geo.levelName(level), idx, va, va + size - 1, t.name,
                                        entryString(t, w), kindName(nk)));
                        break levels;
                    }
                }
            }
        }
    }

    @Override
    public void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {
        if (level < 3 && Desc.valid(first) && Desc.isTable(first) && tableVaKnown(tablePa)) {
            long base = tblVa[pg.slot(tablePa)];
            for (int i = 0; i < count; i++) {
                setTableVa((first + step * i) & oaMask, base + ((long) (from + i) << levelShift[level + 1]));
            }
        }
    }

    @Override
    public void onTableFree(int cpu, long pa, int level, int owner) {
        int s = pg.slot(pa);
        if (s < tblKnown.length) {
            tblKnown[s] = false;
        }
        if (!checks) {
            return;
        }
        for (HwCpu c : cpus) {
            XlatCache wc = c.wc;
            if (wc == null || wc.live == 0) {
                continue;
            }
            for (int w = 0; w < wc.key.length; w++) {
                if (wc.key[w] != 0 && (wc.val[w] == pa || (wc.aux[w] & ~TABLE_XN) == pa)) {
                    int l = wc.kindOf(w) - 1;
                    report(Hazard.Kind.FREED_TABLE_WALK, cpu, c.id, wc.vaOf(w),
                            String.format("%s table page 0x%x freed while CPU%d's walk cache holds the %s descriptor for 0x%x..0x%x "
                                            + "%s it (no __flush_tlb_kernel_pgtable / TLBI VAAE1IS before the free)",
                                    geo.levelName(level), pa, c.id, geo.levelName(l), wc.vaOf(w), wc.vaOf(w) + wc.sizeOf(w) - 1,
                                    wc.val[w] == pa ? "pointing to" : "read from"));
                    break;
                }
            }
        }
    }

    /**
     * The operations a CPU is inside, and the VA ranges whose valid descriptors the outermost one
     * (and everything it called) rewrote: the stale check at its return covers those too, so a
     * missing flush is found wherever the operation wrote (set_memory_ro's linear alias under
     * rodata=full, not only the vmalloc range it was called on).
     */
    private static final class OpStack {
        String[] name = new String[8];
        long[] a0 = new long[8];
        long[] a1 = new long[8];
        int depth;
        long[] wStart = new long[16];
        long[] wEnd = new long[16];
        int nw;

        void push(String n, long s, long e) {
            if (depth == name.length) {
                name = Arrays.copyOf(name, depth * 2);
                a0 = Arrays.copyOf(a0, depth * 2);
                a1 = Arrays.copyOf(a1, depth * 2);
            }
            name[depth] = n;
            a0[depth] = s;
            a1[depth] = e;
            depth++;
        }

        /** Record [s, e) as rewritten, merging with the last range when they touch. */
        void wrote(long s, long e) {
            if (nw > 0 && Long.compareUnsigned(s, wEnd[nw - 1]) <= 0 && Long.compareUnsigned(e, wStart[nw - 1]) >= 0) {
                wStart[nw - 1] = Long.compareUnsigned(s, wStart[nw - 1]) < 0 ? s : wStart[nw - 1];
                wEnd[nw - 1] = Long.compareUnsigned(e, wEnd[nw - 1]) > 0 ? e : wEnd[nw - 1];
                return;
            }
            if (nw == wStart.length) {
                wStart = Arrays.copyOf(wStart, nw * 2);
                wEnd = Arrays.copyOf(wEnd, nw * 2);
            }
            wStart[nw] = s;
            wEnd[nw] = e;
            nw++;
        }
    }

    @Override
    public void onOp(int cpu, String name, long a0, long a1, boolean begin) {
        if (stopMachineOps.contains(name)) {
            stopMachineCpu = begin ? cpu : -1;
        }
        OpStack st = opStack[cpu];
        if (begin) {
            st.push(name, a0, a1);
            opName[cpu] = name;
            opA0[cpu] = a0;
            opA1[cpu] = a1;
            return;
        }
        boolean flushing = !name.endsWith("_noflush");
        if (checks && flushing && Long.compareUnsigned(a1, a0) > 0) {
            opName[cpu] = name;
            opA0[cpu] = a0;
            opA1[cpu] = a1;
            checkStale(cpu, a0, a1);
        }
        if (st.depth > 0) {
            st.depth--;
        }
        if (st.depth == 0) {
            if (checks && flushing) {
                // everything the operation rewrote outside its own range
                for (int i = 0; i < st.nw; i++) {
                    long s0 = st.wStart[i];
                    long e0 = st.wEnd[i];
                    if (Long.compareUnsigned(a1, a0) > 0) {
                        if (Long.compareUnsigned(s0, a0) < 0) {
                            checkStale(cpu, s0, Long.compareUnsigned(e0, a0) < 0 ? e0 : a0);
                        }
                        if (Long.compareUnsigned(e0, a1) > 0) {
                            checkStale(cpu, Long.compareUnsigned(s0, a1) > 0 ? s0 : a1, e0);
                        }
                    } else {
                        checkStale(cpu, s0, e0);
                    }
                }
            }
            st.nw = 0;
            opName[cpu] = null;
        } else {
            int d = st.depth - 1;
            opName[cpu] = st.name[d];
            opA0[cpu] = st.a0[d];
            opA1[cpu] = st.a1[d];
        }
    }

    /** The stale-translation check over [start, end) on every CPU (also callable directly). */
    public int checkStale(int opCpu, long startVa, long endVa) {
        int found = 0;
        for (HwCpu c : cpus) {
            long lastReported = 1;
            for (XlatCache t : c.allTlbs) {
                if (t.live == 0) {
                    continue;
                }
                for (int w = 0; w < t.key.length; w++) {
                    if (t.key[w] == 0 || !t.overlaps(w, startVa, endVa)) {
                        continue;
                    }
                    long es = t.vaOf(w);
                    long ee = es + t.sizeOf(w);
                    long cur = Long.compareUnsigned(es, startVa) < 0 ? startVa : es;
                    long stop = Long.compareUnsigned(ee - 1, endVa - 1) < 0 ? ee : endVa;
                    int easid = t.asidOf(w);
                    long root0 = c.ttbr0;
                    if (easid >= 0 && easid != c.asid) {
                        Long r = asidRoot.get(easid);
                        if (r == null) {
                            continue;
                        }
                        root0 = r;
                    }
                    while (cur != stop) {
                        long cachedPa = t.val[w] + (cur - es);
                        long cachedAttr = t.aux[w];
                        long pa = refWalk(cur, false, c, root0);
                        String why = null;
                        if (pa < 0) {
                            why = "the tables say invalid";
                        } else if ((cachedAttr & Desc.RDONLY) == 0 && (probeAttr & Desc.RDONLY) != 0) {
                            why = "cached writable, the tables say read-only (stale writable translation)";
                        } else if ((cachedAttr & xnFor(cur)) == 0 && (probeAttr & xnFor(cur)) != 0) {
                            why = cur < 0 ? "cached executable, the tables say PXN" : "cached executable at EL0, the tables say UXN";
                        } else if (pa != cachedPa) {
                            why = String.format("cached output 0x%x, the tables say 0x%x", cachedPa, pa);
                        }
                        if (why != null && cur == lastReported) {
                            break;
                        }
                        if (why != null) {
                            lastReported = cur;
                            report(Hazard.Kind.STALE_TRANSLATION, opCpu, c.id, cur,
                                    String.format("%s entry %s still translates 0x%x after the operation returned: %s", t.name,
                                            entryString(t, w), cur, why));
                            found++;
                            break;
                        }
                        long step = 1L << levelShift[refLevel + 1];
                        long next = (cur + step) & -step;
                        cur = Long.compareUnsigned(next - 1, stop - 1) < 0 ? next : stop;
                    }
                }
            }
        }
        return found;
    }

    /**
     * Before filling an entry for va of source kind src: any entry of this CPU overlapping the new
     * entry's range that came from a translation of another size is a TLB conflict. A scan of the
     * CPU's TLBs, done only once a live size change has been seen.
     */
    private void checkFillConflict(HwCpu c, XlatCache t, long va, int src) {
        long size = 1L << kindShift[src];
        long s0 = va & -size;
        for (XlatCache o : c.allTlbs) {
            if (o.live == 0) {
                continue;
            }
            for (int w = 0; w < o.key.length; w++) {
                // entries of another ASID never match this translation
                if (o.key[w] != 0 && o.src[w] != src && o.overlaps(w, s0, s0 + size) && (o.asidOf(w) < 0 || o.asidOf(w) == c.asid)) {
                    report(Hazard.Kind.TLB_CONFLICT, c.id, c.id, va,
                            String.format("filling a %s entry into %s while %s holds %s for an overlapping VA (TLB conflict abort; no BBML2_NOABORT)",
                                    kindName(src), t.name, o.name, entryString(o, w)));
                    return;
                }
            }
        }
    }

    private static int kindOf(int level, long d) {
        if (level < 3 && Desc.isTable(d)) {
            return 7;
        }
        boolean cont = Desc.cont(d);
        return level == 3 ? (cont ? 1 : 0) : level == 2 ? (cont ? 3 : 2) : 4;
    }

    private String kindName(int k) {
        if (k == 7) {
            return "table";
        }
        MapSize m = MapSize.VALUES[k];
        return m.name().toLowerCase(java.util.Locale.ROOT).replace("_", "") + " ("
                + org.ptlab.arch.Sizes.label(geo.size(m)) + ")";
    }

    private String entryString(XlatCache t, int w) {
        return String.format("[0x%x+%s -> 0x%x %s%s, from a %s]", t.vaOf(w), org.ptlab.arch.Sizes.label(t.sizeOf(w)), t.val[w],
                (t.aux[w] & Desc.RDONLY) != 0 ? "ro" : "RW", (t.aux[w] & Desc.PXN) != 0 ? " NX" : " x", kindName(t.src[w]));
    }

    private void report(Hazard.Kind kind, int opCpu, int cpu, long va, String detail) {
        hazardCount++;
        if (hazards.size() < maxHazards) {
            String op = opName[opCpu];
            hazards.add(new Hazard(kind, op, opA0[opCpu], opA1[opCpu], opCpu, cpu, va, detail));
        }
    }

    /** Hazards found so far (the first 1000). */
    public List<Hazard> hazards() {
        return List.copyOf(hazards);
    }

    /** Number of hazards found (including those not kept). */
    public long hazardCount() {
        return hazardCount;
    }

    public void clearHazards() {
        hazards.clear();
        hazardCount = 0;
    }

    /** Sum of all CPUs' counters. */
    public HwStats totals() {
        HwStats t = new HwStats(cpus[0].stats.tlbNames, cpus[0].stats.cacheNames, cpus[0].stats.lastLevel + 1);
        for (HwCpu c : cpus) {
            if (c.stats.tlbHits.length == t.tlbHits.length && c.stats.walkLoads.length == t.walkLoads.length) {
                t.add(c.stats);
            }
        }
        return t;
    }
}
