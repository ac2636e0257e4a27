package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.KLock;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * Coalescing of live kernel mappings, the inverse of {@link Split}: contPTE (CONT_PTES PTEs get the
 * Contiguous bit), PMD (a full PTE table becomes one block and the table is freed), contPMD and PUD
 * (a full table of PMD blocks becomes one block). Upstream arm64 has none of it; this class models
 * the proposals the seeds argue about:
 *
 * <ul>
 *   <li>{@code collapse=seed001}: {@code try_collapse_kernel_pmd()} of seed 001 (RFC 6/6), called
 *       from {@code change_memory_common()} at the linear alias of {@code area->pages[0]} when
 *       setting RDONLY on a {@code VM_ALLOW_HUGE_VMAP} area, under {@code pgtable_split_lock} only;
 *   <li>{@code collapse=order-aware}: per backing chunk of {@code area->page_order}, the linear alias
 *       and the vmalloc mapping of the chunk, each only up to the chunk's size;
 *   <li>{@code collapse=x86}: {@code cpa_collapse_large_pages()} of x86 (41d88484c71c), on
 *       {@code set_memory_rox()} only, each PMD region of the call's range then its PUD, after the
 *       pageattr flush, old tables freed after one {@code flush_tlb_all()};
 *   <li>{@code collapse=background}: ours, a khugepaged-like scanner over the linear map
 *       ({@link #scan}) that takes a per-region exclusion lock which {@code update_range_prot} takes
 *       too.
 * </ul>
 *
 * <p>A table or group is collapsible when every entry is a valid leaf, the output addresses are
 * consecutive and the first is aligned to the new size, and the attributes are identical ignoring
 * the Contiguous bit and the block/page type bit (access flag and dirty are always set on kernel
 * entries, as Ryan notes in seed 001, so comparing everything else is exact). With BBML2_NOABORT
 * the size change is made over the live entries: CONT groups are rewritten in place then the range
 * is flushed; a table-to-block replacement writes the block over the table descriptor, invalidates
 * the walk caches with {@code __flush_tlb_kernel_pgtable} and only then frees the table. DirectMap
 * counters move exactly ({@link DirectMap#moved}).
 */
public final class Collapse {
    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    private final DirectMap dm;
    /** Bytes of one exclusion region of the background scanner (the largest collapse unit). */
    public final long regionSize;
    private final Map<Long, KLock> regionLocks = new HashMap<>();
    /** Next linear VA the background scanner looks at. */
    private long cursor;
    /** Statistics: collapses made per resulting kind, tables freed. */
    public final long[] collapses = new long[MapSize.VALUES.length];
    public long tablesFreed;
    /** The latest collapses made (at most {@link #LOG_MAX}, oldest first), for audits and tests. */
    public final List<Event> log = new ArrayList<>();
    public static final int LOG_MAX = 4096;
    /** WARNs printed by collapse paths since the last audit (also in Kernel.warnings). */
    public final List<String> warnings = new ArrayList<>();
    /** Per modelled CPU: who asked for the collapses it is making now (an area, or null for the scanner). */
    private final VmStruct[] onBehalfOf = new VmStruct[64];

    /**
     * One collapse: [va, va + size) became one leaf or CONT group of kind {@code to}, made for
     * {@code area} (null: the scanner), whose backing pages were {@code areaPages} at the time.
     */
    public record Event(String variant, long va, long size, MapSize to, VmStruct area, long[] areaPages, boolean regionLocked) {}

    private final long[][] areaPagesSnapshot = new long[64][];

    Collapse(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.dm = k.directMap;
        this.regionSize = geo.hasPud() ? geo.entrySize(1) : geo.contPmdSize;
        this.cursor = geo.pageOffset;
        this.lazy = k.lazy;
        this.policy = k.cfg.variants.policy(CollapsePolicy.class, CollapsePolicy.FAMILY);
        this.variant = policy.name();
        this.background = policy.regionExclusion();
        this.retire = k.cfg.variants.policy(CollapseFreePolicy.class, CollapseFreePolicy.FAMILY);
    }

    /** The selected collapse-free= behaviour: the order of __flush_tlb_kernel_pgtable and the free of a replaced table. */
    private final CollapseFreePolicy retire;

    private final LazyMmu lazy;
    /** The selected collapse= behaviour: decides when and what to collapse, with this class's primitives. */
    public final CollapsePolicy policy;
    private final String variant;
    private final boolean background;
    /** Linear-map regions whose attributes may have changed since the scanner last looked. */
    private final java.util.BitSet dirty = new java.util.BitSet();

    private int regionIndex(long va) {
        return (int) ((va - geo.pageOffset) / regionSize);
    }

    /** The kernel whose mappings this collapses (for {@link CollapsePolicy} implementations). */
    public Kernel kernel() {
        return k;
    }

    /** The selected collapse variant (fixed at boot). */
    public String variant() {
        return variant;
    }

    public boolean is(String name) {
        return variant.equals(name);
    }

    // ------------------------------------------------------------------ the per-region exclusion

    /** The exclusion lock of the region containing va (collapse=background). */
    public KLock regionLock(long va) {
        long r = va & -regionSize;
        return regionLocks.computeIfAbsent(r, x -> new KLock("collapse_region_lock[0x" + Long.toHexString(x) + "]"));
    }

    /**
     * Take the exclusion locks of every region [start, end) touches, lowest first (the order every
     * taker uses, so two takers cannot deadlock). Returns the first region locked; pass it with the
     * same range to {@link #unlockRegions}. Only collapse=background uses the exclusion.
     */
    public void lockRegions(long start, long end) {
        if (!background || end == start) {
            return;
        }
        for (long r = start & -regionSize; Long.compareUnsigned(r, end) < 0; r += regionSize) {
            pg.lock(regionLock(r));
            if (k.isLinear(r)) {
                // the taker may change attributes here: the scanner must look at the region again
                dirty.set(regionIndex(r));
            }
        }
    }

    public void unlockRegions(long start, long end) {
        if (!background || end == start) {
            return;
        }
        long first = start & -regionSize;
        long last = (end - 1) & -regionSize;
        for (long r = last; ; r -= regionSize) {
            pg.unlock(regionLock(r));
            if (r == first) {
                break;
            }
        }
    }

    // ------------------------------------------------------------------ what may be collapsed

    /** Whether the linear map may hold blocks and CONT groups that are changed live at all. */
    public boolean linearCollapseAllowed() {
        return k.linearMapRequiresBbml2 && k.systemBbml2;
    }

    /**
     * Whether [va, va + size) of the linear map may become one larger mapping: not the image alias
     * (painted without CONT, and without blocks when force_pte_mapping() holds) and not the early
     * KFENCE pool (PTE mapped so that KFENCE can flip single pages without splitting).
     */
    public boolean linearRangeMayGrow(long va, long size) {
        long as = k.physToVirt(k.mem.stext());
        long ae = k.physToVirt(k.mem.initBegin());
        if (ae != as && overlaps(va, size, as, ae)) {
            return false;
        }
        if (k.kfencePool != 0) {
            long ps = k.physToVirt(k.kfencePool);
            if (overlaps(va, size, ps, ps + k.kfencePoolSize)) {
                return false;
            }
        }
        return true;
    }

    private static boolean overlaps(long va, long size, long s, long e) {
        return Long.compareUnsigned(va, e) < 0 && Long.compareUnsigned(s, va + size) < 0;
    }

    // ------------------------------------------------------------------ primitives

    /** The attribute word that must be identical across a collapsible run: no OA, CONT or type bit. */
    private static long attrs(long d) {
        return d & ~Desc.OA_MASK & ~(Desc.CONT | Desc.TABLE_BIT);
    }

    /**
     * Whether entries [first, first + n) of a table at a level are valid leaves with consecutive
     * OAs starting at an OA aligned to {@code align} and identical attributes.
     */
    private boolean uniform(int level, long table, int first, int n, long align) {
        long d0 = pg.read(table, first);
        if (!Desc.valid(d0) || !Desc.isLeaf(level, d0) || (level < 3 && Desc.isTable(d0))) {
            return false;
        }
        long step = geo.entrySize(level);
        long oa = d0 & geo.oaMask & -step;
        if ((oa & (align - 1)) != 0) {
            return false;
        }
        long a = attrs(d0);
        for (int i = 1; i < n; i++) {
            long d = pg.read(table, first + i);
            if (!Desc.valid(d) || (level < 3 && Desc.isTable(d)) || attrs(d) != a
                    || (d & geo.oaMask & -step) != oa + step * i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fold the CONT group of a level (3: contPTE, 2: contPMD) starting at index first, whose first
     * entry maps groupVa: set CONT on every entry in place, then flush the range. Returns whether it
     * folded (false when it already was a CONT group or is not uniform).
     */
    public boolean foldCont(int level, long table, int first, long groupVa) {
        int n = geo.contEntries(level);
        long size = geo.contSize(level);
        if (Desc.cont(pg.read(table, first)) || !uniform(level, table, first, n, size)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            long d = pg.read(table, first + i);
            lazy.setEntry(table, first + i, d | Desc.CONT);
        }
        k.tlb.flushTlbKernelRange(groupVa, groupVa + size);
        dm.moved(groupVa, MapSize.of(level, false), MapSize.of(level, true), size);
        done(groupVa, size, MapSize.of(level, true));
        return true;
    }

    /**
     * Replace the table at (table, idx) of {@code level} (a PMD pointing to a PTE table, or a PUD
     * pointing to a PMD table) by one block, when the child table is uniform. With
     * {@code deferFree} null the walk caches are invalidated at va with
     * {@code __flush_tlb_kernel_pgtable} and the child freed at once; otherwise the child is added
     * to deferFree for the caller to free after its own flush (x86). Returns whether it collapsed.
     * {@code collapse-free=free-before-flush} (known bad) frees the child first, then flushes.
     */
    public boolean collapseTable(int level, long table, int idx, long va, List<Long> deferFree) {
        if (!geo.blockAllowed(level) || level == 3) {
            return false;
        }
        long d = pg.read(table, idx);
        if (!Desc.isTable(d)) {
            return false;
        }
        long child = Pgtable.tablePa(d);
        int childLevel = level + 1;
        int n = geo.ptrsPerTable;
        long size = geo.entrySize(level);
        if (!uniform(childLevel, child, 0, n, size)) {
            return false;
        }
        // bytes per kind of the entries being replaced, for the counters
        long step = geo.entrySize(childLevel);
        long contBytes = 0;
        for (int i = 0; i < n; i++) {
            if (Desc.cont(pg.read(child, i))) {
                contBytes += step;
            }
        }
        long first = pg.read(child, 0);
        long block = (first & geo.oaMask & -size) | Desc.mkSect(attrs(first) | (first & Desc.VALID));
        lazy.setEntry(table, idx, block); // set_pmd / set_pud: barriers queued
        dm.moved(va, MapSize.of(childLevel, true), MapSize.of(level, false), contBytes);
        dm.moved(va, MapSize.of(childLevel, false), MapSize.of(level, false), size - contBytes);
        if (deferFree == null) {
            retire.retire(this, child, va); // collapse-free=: __flush_tlb_kernel_pgtable, then free (or the known-bad reverse)
        } else {
            deferFree.add(child);
        }
        done(va, size, MapSize.of(level, false));
        return true;
    }

    /** Free a table a collapse replaced (for {@link CollapseFreePolicy}): pgtable_free, counted. */
    public void freeOldTable(long table) {
        pg.freeTable(table);
        tablesFreed++;
    }

    private void done(long va, long size, MapSize to) {
        collapses[to.ordinal()]++;
        if (log.size() == LOG_MAX) {
            log.remove(0);
        }
        boolean locked = background && regionLock(va).held();
        int c = pg.cpu;
        VmStruct area = onBehalfOf[c];
        if (area != null && areaPagesSnapshot[c] == null) {
            areaPagesSnapshot[c] = java.util.Arrays.copyOf(area.pages, area.nrPages);
        }
        log.add(new Event(variant(), va, size, to, area, area == null ? null : areaPagesSnapshot[c], locked));
    }

    /** The table and index of the entry of {@code level} mapping va, or null when a level above is not a table. */
    public long[] entry(int level, long va) {
        long table = TableWalk.tableAt(pg, k.swapper, va, level);
        return table == 0 ? null : new long[] {table, geo.index(level, va)};
    }

    // ------------------------------------------------------------------ collapse to the largest size

    /**
     * Make [va, va + size) (aligned to size, a PMD, contPMD or PUD size, or a contPTE size) as
     * large a mapping as it can be, but never larger than {@code max}: bottom up, each PTE table
     * to a PMD block or else its contPTE groups, then contPMD groups, then the PUD. Linear
     * addresses outside {@link #linearRangeMayGrow} are left alone. Returns the number of collapses.
     */
    public int collapseRange(long va, long size, long max) {
        int before = total();
        lazy.enter();
        collapseEntry(geo.startLevel, k.swapper, va, va + size, max);
        lazy.leave();
        return total() - before;
    }

    private int total() {
        int n = 0;
        for (long c : collapses) {
            n += c;
        }
        return (int) n;
    }

    private boolean mayGrow(long va, long size) {
        return !k.isLinear(va) || linearRangeMayGrow(va, size);
    }

    /** Recursive worker: the entries of the table at level that overlap [start, end). */
    private void collapseEntry(int level, long table, long start, long end, long max) {
        long addr = start;
        long esize = geo.entrySize(level);
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (level < 3 && Desc.isTable(d)) {
                long eva = addr & -esize;
                if (level + 1 < 3) {
                    collapseEntry(level + 1, Pgtable.tablePa(d), addr, next, max);
                }
                boolean whole = addr == eva && next - addr == esize;
                boolean collapsed = false;
                if (whole && esize <= max && geo.blockAllowed(level) && level >= 1 && mayGrow(eva, esize)) {
                    collapsed = collapseTable(level, table, idx, eva, null);
                }
                if (!collapsed && level + 1 <= 3 && geo.contAllowed(level + 1)) {
                    foldGroups(level + 1, Pgtable.tablePa(d), addr, next, max);
                }
            }
            addr = next;
        } while (addr != end);
    }

    private void foldGroups(int level, long table, long start, long end, long max) {
        long gsize = geo.contSize(level);
        if (gsize > max) {
            return;
        }
        long g = (start + gsize - 1) & -gsize;
        for (; Long.compareUnsigned(g, end) < 0 && Long.compareUnsigned(g + gsize, end) <= 0 && g + gsize != 0; g += gsize) {
            if (mayGrow(g, gsize)) {
                foldCont(level, table, geo.index(level, g), g);
            }
        }
    }

    // ------------------------------------------------------------------ variant entry points

    /** Hook of change_memory_common() after the linear-alias loop. */
    void afterAliasLoop(VmStruct area, long set, long clear) {
        policy.afterAliasLoop(this, area, set, clear);
    }

    /** Hook at the end of a successful change_memory_common(). */
    void afterChange(VmStruct area) {
        policy.afterChange(this, area);
    }

    /** Hook at the end of vm_reset_perms() in vfree(). */
    void afterResetPerms(VmStruct area) {
        policy.afterResetPerms(this, area);
    }

    /** Hook at the end of a successful set_memory_rox(addr, numpages). */
    void afterRox(long addr, long end) {
        policy.afterRox(this, addr, end);
    }

    /**
     * Record that the collapses the current CPU makes until {@link #endOnBehalfOf} are made for
     * {@code area} (the audit's log); null: for nobody (a scanner).
     */
    public void beginOnBehalfOf(VmStruct area) {
        onBehalfOf[pg.cpu] = area;
    }

    public void endOnBehalfOf() {
        onBehalfOf[pg.cpu] = null;
        areaPagesSnapshot[pg.cpu] = null;
    }

    /** Count a page table freed by a policy that frees tables itself (after its own flush). */
    public void freeTable(long table) {
        pg.freeTable(table);
        tablesFreed++;
    }

    /**
     * seed001's {@code try_collapse_kernel_pmd(addr)}: addr must be PMD aligned (WARN otherwise);
     * under pgtable_split_lock walk to the PMD, bail unless it is a table, then in lazy MMU mode
     * collapse the PTE table if its first PTE is valid with a PMD-aligned PFN and all PTEs are
     * valid, consecutive and of identical prot. Deliberately as posted: no look at the area's page
     * order, no exclusion against pageattr's lockless walks of other objects in the same 2M,
     * linear alias only.
     */
    public void tryCollapseKernelPmd(long addr) {
        long pmd = geo.entrySize(2);
        if ((addr & (pmd - 1)) != 0) {
            String w = String.format("try_collapse_kernel_pmd: 0x%x is not PMD aligned", addr);
            k.warn(w);
            warnings.add(w);
            return;
        }
        pg.op("try_collapse_kernel_pmd", addr, addr + pmd, true);
        pg.lock(k.pgtableSplitLock);
        long[] e = entry(2, addr);
        if (e != null) {
            lazy.enter();
            collapseTable(2, e[0], (int) e[1], addr, null);
            lazy.leave();
        }
        pg.unlock(k.pgtableSplitLock);
        pg.op("try_collapse_kernel_pmd", addr, addr + pmd, false);
    }

    /**
     * One pass of the collapse daemon over up to {@code bytes} of the linear map (the
     * {@code collapse_scan} step and explorer op, the mixed workload's scanner): the selected
     * policy's {@link CollapsePolicy#scan}; nothing unless the linear map is live-splittable
     * (BBML2_NOABORT). Returns the number of collapses made.
     */
    public int scan(long bytes, boolean all) {
        if (!linearCollapseAllowed()) {
            return 0;
        }
        return policy.scan(this, bytes, all);
    }

    /** What a scanner does with one exclusion region: collapse it, returning the collapses made. */
    @FunctionalInterface
    public interface RegionCollapser {
        int collapse(long regionVa);
    }

    /**
     * The scanner loop policies use (collapse=background): look at up to {@code bytes} of the
     * linear map from the cursor (wrapping), one exclusion region at a time: take the region's
     * lock, then pgtable_split_lock, and let {@code what} collapse the region. Only regions some
     * set_memory_* took the exclusion of since the scanner's last visit are looked at (nothing
     * else can make a region uniform; only policies with {@link CollapsePolicy#regionExclusion}
     * mark them); with {@code all} every region is. Returns the number of collapses made.
     */
    public int scanRegions(long bytes, boolean all, RegionCollapser what) {
        long lo = k.physToVirt(k.physOffset) & -regionSize;
        int first = regionIndex(lo);
        int end = first + (int) (linearSpan() / regionSize);
        int cur = regionIndex(cursor);
        if (cur < first || cur >= end) {
            cur = first;
        }
        int made = 0;
        long budget = Math.max(1, (bytes + regionSize - 1) / regionSize);
        int visited = 0;
        pg.op("collapse_scan", cursor, cursor + bytes, true);
        for (int seen = 0; seen < end - first && budget > 0; seen++) {
            int i = cur;
            cur = cur + 1 == end ? first : cur + 1;
            if (!all && !dirty.get(i)) {
                continue;
            }
            long r = geo.pageOffset + (long) i * regionSize;
            pg.lock(regionLock(r));
            pg.lock(k.pgtableSplitLock);
            dirty.clear(i);
            made += what.collapse(r);
            pg.unlock(k.pgtableSplitLock);
            pg.unlock(regionLock(r));
            budget--;
            visited++;
        }
        regionsScanned += visited;
        cursor = geo.pageOffset + (long) cur * regionSize;
        pg.op("collapse_scan", cursor, cursor + bytes, false);
        return made;
    }

    /** Dirty regions only (the scanner's normal mode). */
    public int scan(long bytes) {
        return scan(bytes, false);
    }

    /** Regions the scanner has looked at so far. */
    public long regionsScanned;

    /** Bytes of linear map the scanner must cover to see all of it once. */
    public long linearSpan() {
        long lo = k.physToVirt(k.physOffset) & -regionSize;
        long top = lo;
        for (MemoryLayout.Range r : k.mem.memory()) {
            top = Math.max(top, k.physToVirt(r.end()));
        }
        return ((top + regionSize - 1) & -regionSize) - lo;
    }
}
