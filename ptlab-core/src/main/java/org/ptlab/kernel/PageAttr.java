package org.ptlab.kernel;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * Kernel page attributes (arch/arm64/mm/pageattr.c): {@code set_memory_ro/rw/x/nx/valid},
 * {@code set_direct_map_invalid_noflush / default_noflush / valid_noflush},
 * {@code kernel_page_present}, and their common paths {@code change_memory_common},
 * {@code __change_memory_common} and {@code update_range_prot}, whose lockless walk rewrites each
 * entry as {@code (old & ~clear) | set} after {@code split_kernel_leaf_mapping} made the range
 * edges leaf boundaries.
 *
 * <p>Return codes as upstream: -EINVAL for a range outside one {@code VM_ALLOC} area (or inside a
 * {@code VM_ALLOW_HUGE_VMAP} one) and for a leaf only partly inside the range; -ENOMEM when a split
 * could not allocate a table. Errors of the linear-alias loop are ignored, as upstream ignores them.
 *
 * <p>Deviation: upstream's PTE callback rewrites none PTEs too (setting VALID on an empty entry);
 * no caller does that on purpose and the model leaves none entries alone.
 */
public final class PageAttr {
    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    /** PTE_MAYBE_GP: the model runs without BTI, so 0. */
    private static final long MAYBE_GP = 0;
    /** split= decides how the rodata=full alias loop groups the backing pages. */
    private final boolean aliasByRuns;
    /** The selected execmem= behaviour: whether VM_ALLOW_HUGE_VMAP areas are accepted. */
    private final ExecmemPolicy execmem;
    /** pageattr= decides the TLB maintenance after update_range_prot. */
    private final PageAttrPolicy policy;
    private final LazyMmu lazy;
    private final long validSet;
    private final long validClear;
    private final long invalidSet;
    private final long invalidClear;

    PageAttr(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.aliasByRuns = k.split.policy.aliasLoopByRuns();
        this.execmem = k.cfg.variants.policy(ExecmemPolicy.class, ExecmemPolicy.FAMILY);
        this.policy = k.cfg.variants.policy(PageAttrPolicy.class, PageAttrPolicy.FAMILY);
        this.lazy = k.lazy;
        boolean enc = k.cfg.version.presentInvalidEncoding();
        long ng = k.ng() ? Desc.NG : 0;
        this.validSet = enc ? Desc.VALID | ng : Desc.VALID;
        this.validClear = enc ? Desc.PRESENT_INVALID : 0;
        this.invalidSet = enc ? Desc.PRESENT_INVALID : 0;
        this.invalidClear = enc ? Desc.VALID | ng : Desc.VALID;
    }

    // ------------------------------------------------------------------ public API

    public int setMemoryRo(long addr, int numpages) {
        return op("set_memory_ro", addr, numpages, Desc.RDONLY, Desc.WRITE);
    }

    public int setMemoryRw(long addr, int numpages) {
        return op("set_memory_rw", addr, numpages, Desc.WRITE, Desc.RDONLY);
    }

    public int setMemoryNx(long addr, int numpages) {
        return op("set_memory_nx", addr, numpages, Desc.PXN, MAYBE_GP);
    }

    public int setMemoryX(long addr, int numpages) {
        return op("set_memory_x", addr, numpages, MAYBE_GP, Desc.PXN);
    }

    /**
     * {@code set_memory_rox(addr, numpages)} (include/linux/set_memory.h's generic version:
     * set_memory_ro then set_memory_x); with collapse=x86, x86's collapse of the range follows.
     */
    public int setMemoryRox(long addr, int numpages) {
        long end = addr + (long) numpages * geo.pageSize;
        pg.op("set_memory_rox", addr, end, true);
        int rc = setMemoryRo(addr, numpages);
        if (rc == 0) {
            rc = setMemoryX(addr, numpages);
        }
        if (rc == 0) {
            k.collapse.afterRox(addr, end);
        }
        pg.op("set_memory_rox", addr, end, false);
        return rc;
    }

    private int op(String name, long addr, int numpages, long set, long clear) {
        long end = addr + (long) numpages * geo.pageSize;
        pg.op(name, addr, end, true);
        int rc = changeMemoryCommon(addr, numpages, set, clear);
        pg.op(name, addr, end, false);
        return rc;
    }

    /** The set mask that makes an entry valid on this release (7.0.1: VALID | PTE_MAYBE_NG). */
    public long validSetMask() {
        return validSet;
    }

    /** The clear mask that makes an entry valid on this release (7.0.1: the present-invalid marker). */
    public long validClearMask() {
        return validClear;
    }

    /** The masks that make an entry valid (7.0.1: VALID | PTE_MAYBE_NG, clearing the marker). */
    private long validSet() {
        return validSet;
    }

    private long validClear() {
        return validClear;
    }

    private long invalidSet() {
        return invalidSet;
    }

    private long invalidClear() {
        return invalidClear;
    }

    /** {@code set_memory_valid(addr, numpages, enable)}: any kernel range; flushes on disable only. */
    public int setMemoryValid(long addr, int numpages, boolean enable) {
        if (numpages < 0) {
            return -Errno.EINVAL;
        }
        long size = (long) numpages * geo.pageSize;
        pg.op("set_memory_valid", addr, addr + size, true);
        int rc = enable ? changeCommon(addr, size, validSet(), validClear())
                : changeCommon(addr, size, invalidSet(), invalidClear());
        pg.op("set_memory_valid", addr, addr + size, false);
        return rc;
    }

    /**
     * {@code __kernel_map_pages(page, numpages, enable)} (DEBUG_PAGEALLOC's map/unmap of
     * allocated/freed pages): {@code set_memory_valid} on the linear address when
     * {@code can_set_direct_map()}. Its {@code update_range_prot} opens a lazy MMU section of its
     * own inside whatever section the caller is in (seed 002); the lazy= variant decides what that
     * nesting does ({@link LazyMmu#kernelMapPages}).
     */
    public void kernelMapPages(long va, int numpages, boolean enable) {
        if (!k.canSetDirectMap) {
            return;
        }
        pg.op("__kernel_map_pages", va, numpages, true);
        lazy.kernelMapPages(() -> setMemoryValid(va, numpages, enable));
        pg.op("__kernel_map_pages", va, numpages, false);
    }

    /** {@code set_direct_map_invalid_noflush(page)}: no TLB flush; the caller flushes. */
    public int setDirectMapInvalidNoflush(long pagePa) {
        if (!k.canSetDirectMap) {
            return 0;
        }
        long va = k.physToVirt(pagePa);
        pg.op("set_direct_map_invalid_noflush", va, va + geo.pageSize, true);
        int rc = updateRangeProt(va, geo.pageSize, invalidSet(), invalidClear());
        pg.op("set_direct_map_invalid_noflush", va, va + geo.pageSize, false);
        return rc;
    }

    /** {@code set_direct_map_default_noflush(page)}: valid and writable again; no TLB flush. */
    public int setDirectMapDefaultNoflush(long pagePa) {
        if (!k.canSetDirectMap) {
            return 0;
        }
        long va = k.physToVirt(pagePa);
        pg.op("set_direct_map_default_noflush", va, va + geo.pageSize, true);
        int rc = updateRangeProt(va, geo.pageSize, validSet() | Desc.WRITE, validClear() | Desc.RDONLY);
        pg.op("set_direct_map_default_noflush", va, va + geo.pageSize, false);
        return rc;
    }

    /** {@code set_direct_map_valid_noflush(page, nr, valid)}: set_memory_valid (which flushes on invalidation). */
    public int setDirectMapValidNoflush(long pagePa, int nr, boolean valid) {
        if (!k.canSetDirectMap) {
            return 0;
        }
        return setMemoryValid(k.physToVirt(pagePa), nr, valid);
    }

    /**
     * {@code kernel_page_present(page)}: VALID of the leaf mapping the page's linear address (the
     * READ_ONCE of pgd, p4d, pud, pmd and pte on the way down; none maps nothing).
     */
    public boolean kernelPagePresent(long pagePa) {
        return Desc.valid(TableWalk.leaf(pg, k.swapper, k.physToVirt(pagePa), null));
    }

    // ------------------------------------------------------------------ change_memory_common

    /**
     * {@code change_memory_common(addr, numpages, set, clear)}: the range must lie in one
     * {@code VM_ALLOC} area (7.2+: without {@code VM_ALLOW_HUGE_VMAP}; 6.x accepts it, and its walk
     * then fails at a block-mapped part with -EINVAL); with rodata=full an ro/rw change is
     * applied first to the linear alias of every page backing the whole area.
     */
    int changeMemoryCommon(long addr, int numpages, long set, long clear) {
        long start = addr;
        long size = (long) numpages * geo.pageSize;
        if ((addr & (geo.pageSize - 1)) != 0) {
            start &= -geo.pageSize;
            k.warn("change_memory_common: unaligned address 0x" + Long.toHexString(addr));
        }
        long end = start + size;
        VmStruct area = k.vmalloc.find(addr);
        // Upstream refuses VM_ALLOW_HUGE_VMAP areas; execmem=rox-cache and every collapse variant
        // model seed 001's series (RFC 2/6), which allows them when BBML2_NOABORT lets them split live.
        boolean hugeOk = k.systemBbml2 && (k.collapse.policy.allowsHugeVmapAreas() || execmem.allowsHugeVmapAreas());
        int refused = hugeOk || !k.cfg.version.changeMemoryRefusesHugeVmap() ? 0 : VmStruct.VM_ALLOW_HUGE_VMAP;
        if (numpages < 0 || area == null || Long.compareUnsigned(end, area.end()) > 0
                || (area.flags & (VmStruct.VM_ALLOC | refused)) != VmStruct.VM_ALLOC) {
            return -Errno.EINVAL;
        }
        if (numpages == 0) {
            return 0;
        }
        if (k.cfg.rodata.full() && (set == Desc.RDONLY || clear == Desc.RDONLY)) {
            if (k.cfg.version.aliasLoopRequestedPagesOnly() && !aliasByRuns) {
                // 7.2 pageattr.c change_memory_common(): only the requested pages' alias, from the
                // page index of start; the first error is returned (no vm_unmap_aliases(), no change
                // of the vmalloc range).
                int first = (int) ((start - area.addr) >>> geo.pageShift);
                for (int i = 0; i < numpages; i++) {
                    int rc = changeCommon(k.physToVirt(area.pages[first + i]), geo.pageSize, set, clear);
                    if (rc != 0) {
                        return rc;
                    }
                }
            } else {
                aliasLoop(area, set, clear);
            }
            k.collapse.afterAliasLoop(area, set, clear);
        }
        // vm_unmap_aliases(): the model purges freed vmap areas eagerly, nothing is left to retire.
        int rc = changeCommon(start, size, set, clear);
        if (rc == 0) {
            k.collapse.afterChange(area);
        }
        return rc;
    }

    /**
     * The linear-alias update. upstream / seed003-v2: one {@code __change_memory_common} per
     * backing page. minimal ({@link SplitPolicy#aliasLoopByRuns}): one per physically contiguous run of backing pages, so a change that
     * covers whole contiguous ranges or blocks of the alias splits only at the run's edges.
     */
    private void aliasLoop(VmStruct area, long set, long clear) {
        long ps = geo.pageSize;
        if (aliasByRuns) {
            int i = 0;
            while (i < area.nrPages) {
                int j = i + 1;
                while (j < area.nrPages && area.pages[j] == area.pages[j - 1] + ps) {
                    j++;
                }
                changeCommon(k.physToVirt(area.pages[i]), (long) (j - i) * ps, set, clear);
                i = j;
            }
            return;
        }
        for (int i = 0; i < area.nrPages; i++) {
            changeCommon(k.physToVirt(area.pages[i]), ps, set, clear);
        }
    }

    /**
     * {@code __change_memory_common(start, size, set, clear)}: update, then flush the range (even
     * when the update failed) unless the change only makes entries valid; the pageattr= variant
     * ({@link PageAttrPolicy}) does that maintenance (pageattr=no-flush, a known-bad patch, skips it).
     */
    public int changeCommon(long start, long size, long set, long clear) {
        int rc = updateRangeProt(start, size, set, clear);
        // 7.2 pageattr.c __change_memory_common(): no TLBI when the change only turns present-invalid
        // entries valid (a non-valid entry is never cached); 6.1/6.12 always flush.
        boolean onlyValidates = k.cfg.version.presentInvalidEncoding() && set == validSet() && clear == validClear();
        policy.afterUpdate(k, start, start + size, onlyValidates);
        return rc;
    }

    /**
     * {@code update_range_prot}: split the range edges, then the lockless walk in lazy MMU mode. A
     * PUD/PMD leaf must lie wholly inside the range (else WARN, -EINVAL, entry unchanged).
     */
    int updateRangeProt(long start, long size, long set, long clear) {
        // collapse=background: the per-region exclusion against the scanner.
        k.collapse.lockRegions(start, start + size);
        int rc = updateRangeProtLocked(start, size, set, clear);
        k.collapse.unlockRegions(start, start + size);
        return rc;
    }

    private int updateRangeProtLocked(long start, long size, long set, long clear) {
        int rc = k.split.splitKernelLeafMapping(start, start + size);
        if (rc != 0) {
            k.warn("update_range_prot: split_kernel_leaf_mapping(0x" + Long.toHexString(start) + ") failed: " + Errno.name(rc));
            return rc;
        }
        if (size <= 0) {
            return -Errno.EINVAL;
        }
        // lazy MMU mode around the lockless walk: the barriers each valid entry written queues
        // (__set_pte / set_pmd / set_pud) are emitted once, by the leave.
        lazy.enter();
        rc = walk(geo.startLevel, k.swapper, start, start + size, set, clear);
        lazy.leave();
        return rc;
    }

    /** The pageattr walk of [addr, end) under a table of {@code level}: 0 or a negative errno. */
    private int walk(int level, long table, long addr, long end, long set, long clear) {
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (level == 3) {
                    lazy.setEntry(table, idx, (d & ~clear) | set);
                } else if (!Desc.isTable(d)) {
                    if (!k.cfg.version.pageattrWalksBlocks()) {
                        k.warn(String.format("apply_to_page_range: %s leaf at 0x%x (WARN_ON_ONCE(%s_leaf))",
                                geo.levelName(level), addr & -geo.entrySize(level), geo.levelName(level).toLowerCase(java.util.Locale.ROOT)));
                        return -Errno.EINVAL;
                    }
                    if (next - addr != geo.entrySize(level)) {
                        k.warn(String.format("pageattr: %s leaf at 0x%x only partly inside [0x%x, 0x%x)",
                                geo.levelName(level), addr & -geo.entrySize(level), addr, end));
                        return -Errno.EINVAL;
                    }
                    lazy.setEntry(table, idx, (d & ~clear) | set);
                } else {
                    int rc = walk(level + 1, Pgtable.tablePa(d), addr, next, set, clear);
                    if (rc != 0) {
                        return rc;
                    }
                }
            }
            addr = next;
        } while (addr != end);
        return 0;
    }
}
