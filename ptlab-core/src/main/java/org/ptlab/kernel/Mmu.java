package org.ptlab.kernel;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;

/**
 * Creating kernel mappings: {@code __create_pgd_mapping()} and its per-level helpers
 * ({@code alloc_init_pud}, {@code alloc_init_cont_pmd}/{@code init_pmd},
 * {@code alloc_init_cont_pte}/{@code init_pte}) from arch/arm64/mm/mmu.c, and
 * {@code update_mapping_prot()}. Generic over the granule's levels: level 1 may hold PUD blocks
 * (4K only), level 2 PMD blocks in CONT_PMD chunks, level 3 PTEs in CONT_PTE chunks.
 *
 * <p>Never splits or collapses: a block over an existing table, or a table under an existing
 * block, is a {@link KernelBug}, and so is any rewrite of a live entry that
 * {@code pgattr_change_is_safe()} forbids.
 */
public final class Mmu {
    public static final int NO_BLOCK_MAPPINGS = 1;
    public static final int NO_CONT_MAPPINGS = 2;
    public static final int NO_EXEC_MAPPINGS = 4;

    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    private final DirectMap dm;
    /**
     * 7.2+ creators (7.2 mmu.c: init_pmd(), alloc_init_pud(), alloc_init_cont_pmd(),
     * alloc_init_cont_pte()): a block is tried only where the old entry is not a table (else the
     * mapping descends into it), and a CONT group only where no member is already a valid
     * non-contiguous entry. Before (6.1/6.12 mmu.c): a block is tried regardless and
     * pmd_set_huge()/pud_set_huge() refuse an unsafe rewrite (a table) by returning 0, silently.
     */
    private final boolean v72;

    Mmu(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.dm = k.directMap;
        this.v72 = k.cfg.version.mapsImageFirst();
        this.contForbidden = !k.cfg.version.atLeast(KernelVersion.V6_12);
    }

    /** 6.1's pgattr_change_is_safe() refuses live changes of CONT entries; 6.12+ allows them. */
    private final boolean contForbidden;

    /**
     * {@code __create_pgd_mapping(pgdir, phys, virt, size, prot, alloc, flags)}.
     *
     * @param owner table-page owner for new tables, or -1 when no allocation is allowed (the
     *     caller passes a NULL allocator: every table must exist)
     * @return 0, -EINVAL for a phys/virt misalignment, -ENOMEM when a table allocation failed
     *     (tables built so far stay installed)
     */
    public int createPgdMapping(long root, long phys, long virt, long size, long prot, int flags, int owner) {
        long pageMask = geo.pageSize - 1;
        if (((phys ^ virt) & pageMask) != 0) {
            return -Errno.EINVAL;
        }
        pg.lock(k.fixmapLock);
        long addr = virt & ~pageMask;
        long end = (virt + size + pageMask) & ~pageMask;
        phys &= ~pageMask;
        int rc = 0;
        if (end != addr) {
            rc = mapLevel(geo.startLevel, root, addr, end, phys, prot, flags, owner, false);
        }
        // The fixmap slots' teardown orders the table writes before any later walk.
        pg.dsbIshst();
        pg.isb();
        pg.unlock(k.fixmapLock);
        return rc;
    }

    private int mapLevel(int level, long table, long addr, long end, long phys, long prot, int flags, int owner, boolean fresh) {
        if (level == 3) {
            initContPte(table, addr, end, phys, prot, flags, fresh);
            return 0;
        }
        if (level == 2) {
            return initContPmd(table, addr, end, phys, prot, flags, owner, fresh);
        }
        long blockSize = geo.entrySize(level);
        boolean blocks = geo.blockAllowed(level) && (flags & NO_BLOCK_MAPPINGS) == 0;
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long oldTop = fresh ? 0 : pg.read(table, idx);
            if (blocks && ((addr | next | phys) & (blockSize - 1)) == 0 && !(v72 && Desc.valid(oldTop) && Desc.isTable(oldTop))) {
                setHuge(level, table, idx, addr, oldTop, phys | Desc.mkSect(prot));
            } else {
                long child = descend(level, table, idx, addr, flags, owner, fresh);
                if (child == 0) {
                    return -Errno.ENOMEM;
                }
                boolean childFresh = child < 0;
                int rc = mapLevel(level + 1, Math.abs(child), addr, next, phys, prot, flags, owner, childFresh);
                if (rc != 0) {
                    return rc;
                }
            }
            phys += next - addr;
            addr = next;
        } while (addr != end);
        return 0;
    }

    /**
     * The next-level table under entry idx, allocating and installing it if none. Returns its PA,
     * negated when the table was allocated here (all its entries are none), or 0 on -ENOMEM.
     */
    private long descend(int level, long table, int idx, long addr, int flags, int owner, boolean fresh) {
        long d = fresh ? 0 : pg.read(table, idx);
        if (d == 0) {
            if (owner < 0) {
                throw new KernelBug(String.format("%s for 0x%x is none and no allocator was given", geo.levelName(level), addr));
            }
            long pa = pg.allocTable(level + 1, owner);
            if (pa == 0) {
                return 0;
            }
            pg.dsbIshst(); // init_clear_pgtable(): the zeroed table is visible before it is linked
            pg.write(table, idx, Desc.tableDesc(pa, (flags & NO_EXEC_MAPPINGS) != 0));
            return -pa;
        }
        if (level < 3 && !Desc.isTable(d)) {
            throw new KernelBug(String.format("%s for 0x%x is a block (0x%x): a mapping would be created under it",
                    geo.levelName(level), addr, d));
        }
        return Pgtable.tablePa(d);
    }

    /** alloc_init_cont_pmd + init_pmd over [addr, end) of one PMD table. */
    private int initContPmd(long table, long addr, long end, long phys, long prot, int flags, int owner, boolean fresh) {
        long contSize = geo.contPmdSize;
        long pmdSize = geo.entrySize(2);
        boolean blocks = (flags & NO_BLOCK_MAPPINGS) == 0;
        do {
            long next = geo.contAddrEnd(2, addr, end);
            long chunkProt = prot;
            if (((addr | next | phys) & (contSize - 1)) == 0 && (flags & NO_CONT_MAPPINGS) == 0
                    && !(v72 && !fresh && hasValidNonCont(table, geo.index(2, addr), geo.contPmds))) {
                chunkProt |= Desc.CONT;
            }
            // init_pmd over the chunk
            long a = addr;
            long p = phys;
            do {
                long n = geo.addrEnd(2, a, next);
                int idx = geo.index(2, a);
                long old = fresh ? 0 : pg.read(table, idx);
                if (blocks && ((a | n | p) & (pmdSize - 1)) == 0 && !(v72 && Desc.valid(old) && Desc.isTable(old))) {
                    setHuge(2, table, idx, a, old, p | Desc.mkSect(chunkProt));
                } else {
                    long child = descend(2, table, idx, a, flags, owner, fresh);
                    if (child == 0) {
                        return -Errno.ENOMEM;
                    }
                    initContPte(Math.abs(child), a, n, p, chunkProt, flags, child < 0);
                }
                p += n - a;
                a = n;
            } while (a != next);
            phys += next - addr;
            addr = next;
        } while (addr != end);
        return 0;
    }

    /**
     * alloc_init_cont_pte + init_pte over [addr, end) within one PTE table. On a table that was
     * just allocated, runs of PTEs with the same attributes are written as one run.
     */
    private void initContPte(long table, long addr, long end, long phys, long prot, int flags, boolean fresh) {
        long contSize = geo.contPteSize;
        long page = geo.pageSize;
        boolean contOk = (flags & NO_CONT_MAPPINGS) == 0;
        if (fresh) {
            // Split [addr,end) into head / aligned middle / tail, exactly as the chunk loop would.
            long midStart = addr;
            long midEnd = addr;
            if (contOk && ((addr ^ phys) & (contSize - 1)) == 0) {
                midStart = (addr + contSize - 1) & -contSize;
                midEnd = end & -contSize;
                if (Long.compareUnsigned(midStart, midEnd) >= 0 || Long.compareUnsigned(midStart, end) > 0) {
                    midStart = midEnd = addr;
                }
            }
            boolean inheritedCont = (prot & Desc.CONT) != 0;
            run(table, addr, midStart, phys, prot, inheritedCont);
            run(table, midStart, midEnd, phys + (midStart - addr), prot | Desc.CONT, true);
            run(table, midEnd, end, phys + (midEnd - addr), prot, inheritedCont);
            return;
        }
        do {
            long next = geo.contAddrEnd(3, addr, end);
            long chunkProt = prot;
            if (((addr | next | phys) & (contSize - 1)) == 0 && contOk
                    && !(v72 && hasValidNonCont(table, geo.index(3, addr), geo.contPtes))) {
                chunkProt |= Desc.CONT;
            }
            long a = addr;
            long p = phys;
            do {
                int idx = geo.index(3, a);
                long old = pg.read(table, idx);
                long nu = p | chunkProt;
                checkSafe(3, a, old, nu);
                pg.write(table, idx, nu);
                dm.created(3, a, old, nu);
                p += page;
                a += page;
            } while (a != next);
            phys += next - addr;
            addr = next;
        } while (addr != end);
    }

    private void run(long table, long from, long to, long phys, long prot, boolean cont) {
        if (from == to) {
            return;
        }
        int idx = geo.index(3, from);
        int count = (int) ((to - from) >>> geo.pageShift);
        long first = phys | (cont ? prot | Desc.CONT : prot & ~Desc.CONT);
        pg.writeRun(table, idx, count, first, geo.pageSize);
        dm.createdRun(3, from, cont, to - from);
    }

    /** pte_range_has_valid_noncont() / pmd_range_has_valid_noncont() over the group at idx. */
    private boolean hasValidNonCont(long table, int idx, int groupSize) {
        for (int i = 0; i < groupSize; i++) {
            long d = pg.read(table, idx + i);
            if (Desc.valid(d) && !Desc.cont(d)) {
                return true;
            }
        }
        return false;
    }

    /**
     * pmd_set_huge() / pud_set_huge(): write the block unless pgattr_change_is_safe() refuses the
     * rewrite of the live entry, in which case nothing is written and 0 is returned; 7.2+ callers
     * WARN on that (init_pmd(), alloc_init_pud()), earlier ones ignore it.
     */
    private void setHuge(int level, long table, int idx, long va, long old, long nu) {
        if (old != 0 && !Desc.pgattrChangeIsSafe(old, nu, contForbidden)) {
            if (v72) {
                k.warn(String.format("%s_set_huge: unsafe rewrite of live %s at 0x%x refused", level == 2 ? "pmd" : "pud",
                        geo.levelName(level), va));
            }
            return;
        }
        pg.write(table, idx, nu);
        dm.created(level, va, old, nu);
    }

    private void checkSafe(int level, long va, long old, long nu) {
        if (old != 0 && !Desc.pgattrChangeIsSafe(old, nu, contForbidden)) {
            throw new KernelBug(String.format("pgattr_change_is_safe: unsafe rewrite of live %s at 0x%x: %s -> %s",
                    geo.levelName(level), va, Desc.describe(level, old), Desc.describe(level, nu)));
        }
    }

    /**
     * {@code update_mapping_prot(phys, virt, size, prot)}: rewrite the attributes of existing
     * mappings in place (no allocation, NO_CONT_MAPPINGS plus the caller's extra flags), then
     * {@code flush_tlb_kernel_range(virt, virt + size)}.
     */
    public void updateMappingProt(long phys, long virt, long size, long prot, int extraFlags) {
        int rc = createPgdMapping(k.swapper, phys, virt, size, prot, NO_CONT_MAPPINGS | extraFlags, -1);
        if (rc != 0) {
            throw new KernelBug("update_mapping_prot failed: " + Errno.name(rc));
        }
        k.tlb.flushTlbKernelRange(virt, virt + size);
    }
}
