package org.ptlab.kernel;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * Splitting live kernel leaf mappings (arch/arm64/mm/mmu.c): {@code split_pud},
 * {@code split_pmd}, {@code split_contpmd}, {@code split_contpte}, the boundary split
 * {@code split_kernel_leaf_mapping_locked} and the whole-range {@code range_split_to_ptes} used by
 * the boot repaint. A split keeps OA and attributes of every VA; it changes only the leaf size, so
 * with BBML2_NOABORT it is done over the live entry with no TLB invalidation.
 */
public final class Split {
    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    private final DirectMap dm;
    private final LazyMmu lazy;
    /** The selected split= behaviour. */
    public final SplitPolicy policy;
    private final java.util.function.LongToIntFunction splitAtFn = this::splitAt;

    Split(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.dm = k.directMap;
        this.lazy = k.lazy;
        this.policy = k.cfg.variants.policy(SplitPolicy.class, SplitPolicy.FAMILY);
    }

    /** The kernel this splits (for {@link SplitPolicy} implementations). */
    public Kernel kernel() {
        return k;
    }

    /**
     * {@code split_pmd()} / {@code split_pud()}: replace the block at (table, idx) of {@code level}
     * by a table of next-level leaves with the same OA and attributes, CONT on all of them iff
     * {@code toCont}. Returns 0 or -ENOMEM (nothing changed).
     */
    public int splitBlock(int level, long table, int idx, long va, boolean toCont) {
        long block = pg.read(table, idx);
        long childPa = pg.allocTable(level + 1, k.isLinear(va) ? k.linearOwner : k.vmalloc.owner);
        if (childPa == 0) {
            return -Errno.ENOMEM;
        }
        long prot = Desc.pgprot(block) & ~Desc.CONT;
        long oa = block & Desc.OA_MASK & -geo.entrySize(level);
        int childLevel = level + 1;
        long childProt = childLevel == 3 ? Desc.mkPageType(prot) : Desc.mkSect(prot);
        if (toCont) {
            childProt |= Desc.CONT;
        }
        long step = geo.entrySize(childLevel);
        // __set_pte / set_pmd of each child: the barriers they queue are deferred in lazy MMU mode
        lazy.setRun(childPa, 0, geo.ptrsPerTable, oa | childProt, step);
        // the children visible to the walker before the table entry that points to them
        pg.dsbIshst();
        lazy.setEntry(table, idx, Desc.tableDesc(childPa, (block & Desc.PXN) != 0));

        MapSize from = MapSize.of(level, false);
        MapSize to = MapSize.of(childLevel, toCont);
        dm.moved(va, from, to, geo.entrySize(level));
        return 0;
    }

    /**
     * {@code split_contpte()} / {@code split_contpmd()}: clear CONT on every entry of the
     * contiguous group containing idx, each rewritten in place.
     */
    public void clearContGroup(int level, long table, int idx, long va) {
        int n = geo.contEntries(level);
        int first = idx & -n;
        long groupVa = va & -geo.contSize(level);
        for (int i = 0; i < n; i++) {
            long d = pg.read(table, first + i);
            lazy.setEntry(table, first + i, d & ~Desc.CONT);
        }

        dm.moved(groupVa, MapSize.of(level, true), MapSize.of(level, false), geo.contSize(level));
    }

    /**
     * {@code split_kernel_leaf_mapping(start, end)}: make start and end leaf boundaries of the live
     * linear map. Returns 0 at once when the linear map does not depend on BBML2 (it is PTE mapped,
     * or blocks are never split because nothing changes page attributes), when start lies in the
     * KFENCE pool, or when the system lacks BBML2_NOABORT (capabilities are final at runtime; the
     * pageattr walk then refuses a partial leaf). -EINVAL for unaligned edges; -ENOMEM when a table
     * could not be allocated (the levels split so far stay split, everything else unchanged).
     *
     * <p>Variants: {@code split=upstream} and {@code split=minimal} split at the edges only under
     * pgtable_split_lock with no TLB maintenance; {@code split=seed003-v2} splits the whole range
     * down to non-contiguous PTEs under init_mm's mmap write lock and flushes the range after.
     */
    public int splitKernelLeafMapping(long start, long end) {
        if (!k.linearMapRequiresBbml2 || k.inKfencePool(start)) {
            return 0;
        }
        if (!k.systemBbml2) {
            return 0;
        }
        long mask = geo.pageSize - 1;
        if (((start | end) & mask) != 0) {
            return -Errno.EINVAL;
        }
        return policy.splitKernelLeafMapping(this, start, end);
    }

    /**
     * The edge split under the caller's lock: the less aligned edge of a one-page range (the
     * other then falls on a boundary), else start then end. Returns 0 or the first error.
     */
    public int splitEdges(long start, long end) {
        return splitEdges(start, end, splitAtFn);
    }

    /** {@link #splitEdges(long, long)} with another split_kernel_leaf_mapping_locked. */
    public int splitEdges(long start, long end, java.util.function.LongToIntFunction splitAt) {
        if (end - start == geo.pageSize) {
            return splitAt.applyAsInt(Long.numberOfTrailingZeros(start) < Long.numberOfTrailingZeros(end) ? start : end);
        }
        int rc = splitAt.applyAsInt(start);
        if (rc == 0) {
            rc = splitAt.applyAsInt(end);
        }
        return rc;
    }

    /**
     * Seed 003 v2's split_linear_mapping(): whole range to PTEs ({@link #rangeSplitToPtes}, in
     * lazy MMU mode), mmap write lock, TLB flush after.
     */
    int seed003Split(long start, long end) {
        if (!k.isLinear(start)) {
            return 0;
        }
        pg.op("split_linear_mapping", start, end, true);
        pg.lock(k.initMmLock);
        int rc = start == end ? 0 : rangeSplitToPtes(start, end);
        pg.unlock(k.initMmLock);
        k.tlb.flushTlbKernelRange(start, end);
        pg.op("split_linear_mapping", start, end, false);
        return rc;
    }


    /**
     * {@code split_kernel_leaf_mapping_locked(addr)}: make addr a leaf boundary, splitting PUD ->
     * contPMD -> PMD -> contPTE only as far as needed. Caller holds pgtable_split_lock.
     */
    public int splitAt(long addr) {
        return splitAtLocked(addr, false);
    }

    /**
     * split=cont-one-entry (known bad): {@link #splitAt} whose CONT clears rewrite only the entry
     * at addr, not its whole group (the explorer's former cont-one-entry mutant).
     */
    public int splitAtContOneEntry(long addr) {
        return splitAtLocked(addr, true);
    }

    /**
     * split_kernel_leaf_mapping_locked's descent: pgd, p4d, pud, pmd, pte, each entry read once;
     * the walk ends before the first level whose size (contPMD at the PMD level, contPTE at the
     * PTE level) addr is aligned to, and at an entry that is not present. A PUD leaf is split
     * (split_pud), a contPMD group cleared (split_contpmd) and, unless addr is PMD aligned, the PMD
     * split (split_pmd), each time the entry read again; at the PTE level a contPTE group is
     * cleared (split_contpte). {@code oneEntry}: split=cont-one-entry's clears of the entry at addr
     * only.
     */
    private int splitAtLocked(long addr, boolean oneEntry) {
        return TableWalk.descend(pg, k.swapper, addr, lastUnalignedLevel(addr), (level, table, idx, d) -> {
            if (!Desc.present(d)) {
                return TableWalk.STOP;
            }
            if (level == 3) {
                if (Desc.cont(d)) {
                    clearCont(3, table, idx, addr, d, oneEntry); // split_contpte
                }
                return TableWalk.STOP;
            }
            if (Desc.isLeaf(level, d)) {
                if (level == 2) {
                    if (Desc.cont(d)) {
                        clearCont(2, table, idx, addr, d, oneEntry); // split_contpmd
                    }
                    // a PMD-aligned addr is already a leaf boundary (split=cont-one-entry's copy
                    // asks only after clearing a contPMD group, and splits an aligned plain PMD)
                    if ((addr & (geo.entrySize(2) - 1)) == 0 && (!oneEntry || Desc.cont(d))) {
                        return TableWalk.STOP;
                    }
                }
                int rc = splitBlock(level, table, idx, addr, true); // split_pud / split_pmd
                if (rc != 0) {
                    return rc;
                }
                d = pg.read(table, idx);
            }
            return Pgtable.tablePa(d);
        });
    }

    /** The deepest level whose size (a contPMD / contPTE group at the PMD / PTE level) addr is not aligned to, above the first that is. */
    private int lastUnalignedLevel(long addr) {
        for (int level = geo.startLevel; level <= 3; level++) {
            long align = level < 2 ? geo.entrySize(level) : geo.contSize(level);
            if ((addr & (align - 1)) == 0) {
                return level - 1;
            }
        }
        return 3;
    }

    private void clearCont(int level, long table, int idx, long addr, long d, boolean oneEntry) {
        if (oneEntry) {
            clearContOne(level, table, idx, addr, d);
        } else {
            clearContGroup(level, table, idx, addr);
        }
    }

    private void clearContOne(int level, long table, int idx, long addr, long d) {
        lazy.setEntry(table, idx, d & ~Desc.CONT);
        dm.moved(addr & -geo.entrySize(level), MapSize.of(level, true), MapSize.of(level, false), geo.entrySize(level));
    }

    /**
     * {@code range_split_to_ptes(start, end)}: split every block and CONT group overlapping
     * [start, end) down to non-contiguous PTEs (boot repaint, late KFENCE pool).
     */
    public int rangeSplitToPtes(long start, long end) {
        lazy.enter();
        int rc = walkSplit(geo.startLevel, k.swapper, start, end);
        lazy.leave();
        return rc;
    }

    private int walkSplit(int level, long table, long addr, long end) {
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (level == 3) {
                    if (Desc.cont(d)) {
                        clearContGroup(3, table, idx, addr);
                    }
                } else {
                    if (Desc.isLeaf(level, d)) {
                        if (level == 2 && Desc.cont(d)) {
                            clearContGroup(2, table, idx, addr);
                        }
                        int rc = splitBlock(level, table, idx, addr, false);
                        if (rc != 0) {
                            return rc;
                        }
                        d = pg.read(table, idx);
                    }
                    int rc = walkSplit(level + 1, Pgtable.tablePa(d), addr, next);
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
