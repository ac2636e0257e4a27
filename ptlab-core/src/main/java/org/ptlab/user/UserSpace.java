package org.ptlab.user;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.pgtable.TlbFlush;

/**
 * User address spaces over the shared {@link Pgtable}: {@code mm_alloc}, {@code mmap},
 * {@code munmap}, {@code mprotect}, {@code fork} ({@code dup_mmap}/{@code copy_page_range}),
 * {@code exit_mmap}, the fault path of a driver with a fault handler ({@code vmf_insert_pfn},
 * {@code vmf_insert_pfn_pmd}/{@code _pud}), and the seed 004 huge PFN map:
 * {@code remap_pfn_range()} choosing PUD and PMD leaves where size, alignment, architecture and the
 * v4 no-fault-handler restriction allow, with a deposited page table per leaf
 * ({@code pgtable_trans_huge_deposit}/{@code _withdraw}), {@code __split_huge_pmd_locked()} and its
 * PUD analogue refilling the next level from the deposit, {@code copy_huge_pmd()} depositing for
 * the child, and {@code zap_huge_pmd()} freeing the deposit.
 *
 * <p>PUD leaves are this model's extension beyond the series (its TODO): a PUD leaf made by
 * remap_pfn_range deposits a PMD table; its split withdraws that table, fills 512 special PMD
 * leaves and deposits a freshly allocated PTE table for each, all allocated before anything is
 * changed, so a PUD split can fail with -ENOMEM and leave the mapping intact (the caller then
 * fails: munmap and mprotect return -ENOMEM).
 *
 * <p>Only MAP_SHARED device mappings are modelled (no anonymous memory, no COW). Every table
 * access, allocation, lock, barrier, counter update and TLB flush goes through {@link Pgtable} and
 * {@link TlbFlush} (with the mm's ASID). The deposit lists live, as in the kernel, beside the table
 * page holding the leaf (the page's {@code pmd_huge_pte} list).
 */
public final class UserSpace {
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EINVAL = 22;
    /** VM_FAULT_SIGBUS as a negative return of {@link #fault}. */
    public static final int FAULT_SIGBUS = -7;
    /** VM_FAULT_SIGSEGV (no VMA). */
    public static final int FAULT_SIGSEGV = -EFAULT;
    /** Most mms alive at once (each takes a table owner and two counters of the Pgtable). */
    public static final int MAX_MMS = 16;

    public final Pgtable pg;
    public final TlbFlush tlb;
    public final UserConfig cfg;
    public final Geometry geo;
    public final PfnPgprot pp;
    /** TASK_SIZE. */
    public final long taskSize;
    /** Top of the user VA space the tables cover (USER_PGTABLES_CEILING as an address). */
    public final long top;
    /** Lowest address mmap picks by itself (mmap_min_addr / the base of the search). */
    public final long mmapBase;
    private final long pageSize;
    private final int pageShift;
    private final Mm[] mms = new Mm[MAX_MMS + 1];
    /** Deposit list head per table page (by slot) holding huge leaves. */
    private long[] depHead = new long[1024];
    /** Next link per deposited table page (by slot). */
    private long[] depNext = new long[1024];
    /** Kernel log lines (check_mm complaints). */
    public final List<String> log = new ArrayList<>();

    public UserSpace(Pgtable pg, TlbFlush tlb, UserConfig cfg) {
        this.pg = pg;
        this.tlb = tlb;
        this.cfg = cfg;
        this.geo = pg.geo;
        this.pageSize = geo.pageSize;
        this.pageShift = geo.pageShift;
        this.pp = new PfnPgprot(pageShift, geo.oaMask, cfg.variant == PfnmapVariant.SEED004_V4_OLDPROT);
        this.top = 1L << geo.vaBits;
        this.taskSize = 1L << geo.vaBitsMin;
        this.mmapBase = Math.max(1L << 30, geo.entrySize(2));
    }

    // ------------------------------------------------------------------ mms

    /** {@code mm_alloc()} + {@code pgd_alloc()}: a new empty mm, or null (no id or no memory). */
    public Mm mmAlloc() {
        int id = 1;
        while (id <= MAX_MMS && mms[id] != null) {
            id++;
        }
        if (id > MAX_MMS) {
            return null;
        }
        int owner = pg.owner("mm " + id);
        long pgd = pg.allocTable(geo.startLevel, owner);
        if (pgd == 0) {
            return null;
        }
        int bytes = pg.counter("mm " + id + " pgtables_bytes");
        int dep = pg.counter("mm " + id + " deposited");
        pg.counterSet(bytes, 0);
        pg.counterSet(dep, 0);
        Mm mm = new Mm(id, owner, pgd, bytes, dep);
        mms[id] = mm;
        return mm;
    }

    /** Live mms in id order. */
    public List<Mm> mms() {
        List<Mm> l = new ArrayList<>();
        for (Mm m : mms) {
            if (m != null) {
                l.add(m);
            }
        }
        return l;
    }

    public Mm mm(int id) {
        return id > 0 && id <= MAX_MMS ? mms[id] : null;
    }

    /** Whether PFN maps may use leaves at this level (2 = PMD, 1 = PUD) on this configuration. */
    public boolean hugeLevelAllowed(int level) {
        if (level < geo.startLevel) {
            return false;
        }
        if (level == 2) {
            return cfg.pmdPfnmap;
        }
        return level == 1 && cfg.pudPfnmap && geo.hasPud();
    }

    /**
     * {@code has_deposited_pgtable()}: with the v4 restriction, exactly the special huge leaves in
     * VMAs without a fault handler were installed by remap_pfn_range and own a deposit.
     */
    public static boolean hasDeposit(Vma vma, long leaf) {
        return vma != null && !vma.faultHandler && PfnPgprot.special(leaf);
    }

    // ------------------------------------------------------------------ mmap

    /**
     * {@code mmap(addr, len, prot, MAP_SHARED[|MAP_FIXED], device_fd, pgoff)}: a new VMA. A driver with
     * a fault handler (vfio style) marks it VM_PFNMAP|VM_IO|VM_DONTEXPAND|VM_DONTDUMP and maps on
     * fault, from device PFN {@code pgoff} at the VMA start; a driver without one calls
     * {@link #remapPfnRange} (see {@link #mmapPfn}).
     *
     * @param addr 0 to let the kernel choose (aligned like {@code thp_get_unmapped_area}: to the PUD or
     *     PMD size when the length allows), else MAP_FIXED
     * @return the address, or a negative errno
     */
    public long mmap(Mm mm, long addr, long len, int prot, UserProt.Cache cache, boolean faultHandler, long pgoff) {
        pg.lock(mm.mmapLock);
        try {
            return doMmap(mm, addr, len, prot, cache, faultHandler, pgoff);
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    /** mmap of a driver whose ->mmap calls {@code remap_pfn_range(vma, vma->vm_start, pfn, len, vma->vm_page_prot)}. */
    public long mmapPfn(Mm mm, long addr, long len, int prot, UserProt.Cache cache, long pfn) {
        pg.lock(mm.mmapLock);
        try {
            long a = doMmap(mm, addr, len, prot, cache, false, pfn);
            if (a < 0) {
                return a;
            }
            Vma vma = mm.findVma(a);
            int rc = doRemap(mm, vma, a, pfn, vma.end - vma.start, vma.pageProt);
            if (rc != 0) {
                doMunmap(mm, a, vma.end - vma.start);
                return rc;
            }
            return a;
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    private long doMmap(Mm mm, long addr, long len, int prot, UserProt.Cache cache, boolean faultHandler, long pgoff) {
        len = (len + pageSize - 1) & -pageSize;
        if (len <= 0 || len > taskSize) {
            return -EINVAL;
        }
        if (addr != 0) {
            if ((addr & (pageSize - 1)) != 0 || addr < 0 || addr + len > taskSize) {
                return -EINVAL;
            }
            int rc = doMunmap(mm, addr, len);
            if (rc != 0) {
                return rc;
            }
        } else {
            addr = unmappedArea(mm, len);
            if (addr < 0) {
                return addr;
            }
        }
        int flags = (prot & UserProt.VM_ACCESS_FLAGS) | UserProt.VM_SHARED | (faultHandler ? UserProt.VM_REMAP_FLAGS : 0);
        Vma v = new Vma(addr, addr + len, flags, cache, faultHandler, pgoff);
        mm.vmas.put(addr, v);
        return addr;
    }

    private long unmappedArea(Mm mm, long len) {
        long align = hugeLevelAllowed(1) && len >= geo.entrySize(1) ? geo.entrySize(1)
                : hugeLevelAllowed(2) && len >= geo.entrySize(2) ? geo.entrySize(2) : pageSize;
        long cand = (mmapBase + align - 1) & -align;
        for (Vma v : mm.vmas.values()) {
            if (cand + len <= v.start) {
                return cand;
            }
            if (v.end > cand) {
                cand = (v.end + align - 1) & -align;
            }
        }
        return cand + len <= taskSize ? cand : -ENOMEM;
    }

    // ------------------------------------------------------------------ remap_pfn_range

    /**
     * {@code remap_pfn_range(vma, addr, pfn, size, prot)} on the VMA containing addr (the driver's
     * call, under the mmap lock). Entries in the range must be none (else a modelled BUG). On
     * failure the range is zapped again, as the kernel does.
     *
     * @return 0, -EINVAL (range not inside one VMA or not page aligned) or -ENOMEM
     */
    public int remapPfnRange(Mm mm, long addr, long pfn, long size, long prot) {
        pg.lock(mm.mmapLock);
        try {
            Vma vma = mm.findVma(addr);
            if (vma == null) {
                return -EINVAL;
            }
            return doRemap(mm, vma, addr, pfn, size, prot);
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    private int doRemap(Mm mm, Vma vma, long addr, long pfn, long size, long prot) {
        long end = addr + size;
        if (((addr | size) & (pageSize - 1)) != 0 || size <= 0 || addr < vma.start || end > vma.end) {
            return -EINVAL;
        }
        pg.op("remap_pfn_range", addr, end, true);
        vma.flags |= UserProt.VM_REMAP_FLAGS;
        int rc = remapLevel(mm, vma, geo.startLevel, mm.pgd, addr, end, pfn, prot);
        if (rc != 0) {
            zapRange(mm, vma, addr, end);
            tlb.flushTlbRange(mm.asid, addr, end, pageSize, true);
        }
        pg.op("remap_pfn_range", addr, end, false);
        return rc;
    }

    private int remapLevel(Mm mm, Vma vma, int level, long table, long addr, long end, long pfn, long prot) {
        if (level == 3) {
            remapPte(table, addr, end, pfn, prot);
            return 0;
        }
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            if (!tryHuge(mm, vma, level, table, idx, addr, next, pfn, prot)) {
                long child = tableFor(mm, level, table, idx, addr);
                if (child == 0) {
                    return -ENOMEM;
                }
                int rc = remapLevel(mm, vma, level + 1, child, addr, next, pfn, prot);
                if (rc != 0) {
                    return rc;
                }
            }
            pfn += (next - addr) >>> pageShift;
            addr = next;
        } while (addr != end);
        return 0;
    }

    /**
     * The seed's try-path ({@code remap_try_huge_pmd}, and its PUD analogue): a leaf when the
     * architecture supports it, the chunk is exactly one entry, the PFN is aligned to it, the entry
     * is none, the VMA has no fault handler (v4) and a table for the deposit can be allocated.
     */
    private boolean tryHuge(Mm mm, Vma vma, int level, long table, int idx, long addr, long next, long pfn, long prot) {
        if ((level != 1 && level != 2) || !hugeLevelAllowed(level)) {
            return false;
        }
        long size = geo.entrySize(level);
        if (next - addr != size || (pfn & ((size >>> pageShift) - 1)) != 0 || vma.faultHandler) {
            return false;
        }
        long old = pg.read(table, idx);
        if (old != 0 && !(Desc.isTable(old) && freeEmptyTable(mm, level, table, idx, addr, old))) {
            return false;
        }
        long dep = pg.allocTable(level + 1, mm.owner);
        if (dep == 0) {
            return false;
        }
        pg.counterAdd(mm.pgtablesBytes, pageSize);
        pg.lock(mm.ptl);
        long leaf = PfnPgprot.mkSpecial(pp.pmdMkhuge(level == 2 ? pp.pfnPmd(pfn, prot) : pp.pfnPud(pfn, prot)));
        pg.write(table, idx, leaf);
        deposit(mm, table, dep);
        pg.unlock(mm.ptl);
        return true;
    }

    /**
     * {@code pmd_free_pte_page()} / {@code pud_free_pmd_page()} as the try-path uses them: a table left
     * under the entry (by an earlier unmap whose tables a neighbouring VMA kept alive) that maps
     * nothing is unlinked, the walk caches for its span invalidated, and freed with everything under
     * it. Returns false (nothing changed) when something is still mapped there.
     */
    private boolean freeEmptyTable(Mm mm, int level, long table, int idx, long addr, long desc) {
        long child = Pgtable.tablePa(desc);
        if (!subtreeEmpty(level + 1, child)) {
            return false;
        }
        pg.write(table, idx, 0);
        tlb.flushTlbKernelPgtable(addr);
        freeSubtree(mm, level + 1, child);
        return true;
    }

    private boolean subtreeEmpty(int level, long table) {
        if (depositHead(table) != 0) {
            return false;
        }
        int n = geo.entries(level);
        for (int i = 0; i < n; i++) {
            long d = pg.read(table, i);
            if (d != 0 && (level == 3 || !Desc.isTable(d) || !subtreeEmpty(level + 1, Pgtable.tablePa(d)))) {
                return false;
            }
        }
        return true;
    }

    private void freeSubtree(Mm mm, int level, long table) {
        if (level < 3) {
            int n = geo.entries(level);
            for (int i = 0; i < n; i++) {
                long d = pg.read(table, i);
                if (d != 0) {
                    freeSubtree(mm, level + 1, Pgtable.tablePa(d));
                }
            }
        }
        freeTable(mm, table);
    }

    /** remap_pte_range over [addr, end) inside one PTE table: every entry must be none. */
    private void remapPte(long table, long addr, long end, long pfn, long prot) {
        int from = geo.index(3, addr);
        int n = (int) ((end - addr) >>> pageShift);
        for (int i = 0; i < n; i++) {
            long d = pg.read(table, from + i);
            if (d != 0) {
                throw new UserBug(String.format("remap_pte_range: PTE for 0x%x is not none (0x%x)", addr + ((long) i << pageShift), d));
            }
        }
        pg.writeRun(table, from, n, PfnPgprot.mkSpecial(pp.pfnPte(pfn, prot)), pageSize);
    }

    /**
     * The next-level table under (table, idx), allocated and linked if none ({@code pud_alloc},
     * {@code pmd_alloc}, {@code pte_alloc}); 0 on -ENOMEM. A leaf there is a modelled BUG.
     */
    private long tableFor(Mm mm, int level, long table, int idx, long addr) {
        long d = pg.read(table, idx);
        if (d == 0) {
            long pa = pg.allocTable(level + 1, mm.owner);
            if (pa == 0) {
                return 0;
            }
            pg.counterAdd(mm.pgtablesBytes, pageSize);
            pg.dsbIshst(); // the zeroed table is visible before it is linked (pmd_install's smp_wmb)
            pg.write(table, idx, PfnPgprot.userTableDesc(pa));
            return pa;
        }
        if (!Desc.isTable(d)) {
            throw new UserBug(String.format("%s for 0x%x is a leaf (0x%x) where a table was expected", geo.levelName(level), addr, d));
        }
        return Pgtable.tablePa(d);
    }

    // ------------------------------------------------------------------ deposits

    private void ensureSlots() {
        int n = pg.slotLimit();
        if (n > depHead.length) {
            int m = Math.max(n, depHead.length * 2);
            depHead = Arrays.copyOf(depHead, m);
            depNext = Arrays.copyOf(depNext, m);
        }
    }

    /** {@code pgtable_trans_huge_deposit(mm, pmdp, pgtable)}: push dep on the list of the table holding the leaf. */
    private void deposit(Mm mm, long holder, long dep) {
        ensureSlots();
        int h = pg.slot(holder);
        depNext[pg.slot(dep)] = depHead[h];
        depHead[h] = dep;
        pg.counterAdd(mm.deposited, 1);
    }

    /** {@code pgtable_trans_huge_withdraw(mm, pmdp)}: pop a deposited table; an empty list is an oops. */
    private long withdraw(Mm mm, long holder, long va, int level) {
        ensureSlots();
        int h = pg.slot(holder);
        long dep = depHead[h];
        if (dep == 0) {
            throw new UserBug(String.format("pgtable_trans_huge_withdraw: %s: no page table deposited for the special %s at 0x%x "
                    + "(table 0x%x): NULL pointer dereference", mm, geo.levelName(level), va, holder));
        }
        depHead[h] = depNext[pg.slot(dep)];
        depNext[pg.slot(dep)] = 0;
        pg.counterAdd(mm.deposited, -1);
        return dep;
    }

    /** First table deposited under a table page, or 0 (for checkers). */
    public long depositHead(long holder) {
        int s = pg.slot(holder);
        return s < depHead.length ? depHead[s] : 0;
    }

    /** The deposited table after dep in its list, or 0 (for checkers). */
    public long depositNext(long dep) {
        int s = pg.slot(dep);
        return s < depNext.length ? depNext[s] : 0;
    }

    private void freeTable(Mm mm, long pa) {
        if (depositHead(pa) != 0) {
            throw new UserBug(String.format("%s: freeing table 0x%x that still holds deposited tables (pmd_huge_pte not empty)", mm, pa));
        }
        pg.freeTable(pa);
        pg.counterAdd(mm.pgtablesBytes, -pageSize);
    }

    // ------------------------------------------------------------------ split

    /**
     * Make addr a leaf boundary in mm ({@code split_huge_pud}/{@code split_huge_pmd} as
     * {@code vma_adjust_trans_huge} calls them before a VMA is split). Returns 0 or -ENOMEM (only a
     * PUD split allocates).
     */
    public int splitAt(Mm mm, long addr) {
        // pgd, p4d, pud, pmd of addr, each read once; the walk ends before the first level addr is aligned to
        int last = geo.startLevel - 1;
        while (last < 2 && (addr & (geo.entrySize(last + 1) - 1)) != 0) {
            last++;
        }
        return TableWalk.descend(pg, mm.pgd, addr, last, (level, table, idx, d) -> {
            if (d == 0) {
                return TableWalk.STOP;
            }
            if (!Desc.isTable(d)) {
                long size = geo.entrySize(level);
                int rc = splitHuge(mm, mm.findVma(addr), level, table, idx, addr & -size, d);
                if (rc != 0) {
                    return rc;
                }
                d = pg.read(table, idx);
                if (d == 0) {
                    return TableWalk.STOP;
                }
            }
            return Pgtable.tablePa(d);
        });
    }

    /**
     * {@code __split_huge_pmd_locked()} (and the PUD analogue) for a special leaf: clear it and flush
     * with the leaf's stride (break-before-make), then, if it owns a deposit, withdraw the table,
     * fill it with the next level's leaves (PFN, PFN+1, ... with {@code pfn_pte(pfn, pmd_pgprot(pmd))}),
     * and link it. Without a deposit (inserted by a fault handler) the mapping is just dropped; the
     * handler refills it on the next fault.
     */
    private int splitHuge(Mm mm, Vma vma, int level, long table, int idx, long haddr, long old) {
        long size = geo.entrySize(level);
        boolean dep = hasDeposit(vma, old);
        int n = geo.ptrsPerTable;
        long[] pre = null;
        if (dep && level == 1) {
            pre = new long[n];
            for (int i = 0; i < n; i++) {
                pre[i] = pg.allocTable(3, mm.owner);
                if (pre[i] == 0) {
                    for (int j = 0; j < i; j++) {
                        pg.freeTable(pre[j]);
                    }
                    return -ENOMEM;
                }
            }
            pg.counterAdd(mm.pgtablesBytes, n * pageSize);
        }
        String op = level == 2 ? "split_huge_pmd" : "split_huge_pud";
        pg.op(op, haddr, haddr + size, true);
        pg.lock(mm.ptl);
        pg.write(table, idx, 0);
        tlb.flushTlbRange(mm.asid, haddr, haddr + size, size, false);
        if (dep) {
            long child = withdraw(mm, table, haddr, level);
            long pfn = pp.pfn(old);
            if (level == 2) {
                pg.writeRun(child, 0, n, PfnPgprot.mkSpecial(pp.pfnPte(pfn, pp.pmdPgprot(old))), pageSize);
            } else {
                pg.writeRun(child, 0, n, PfnPgprot.mkSpecial(pp.pmdMkhuge(pp.pfnPmd(pfn, pp.pudPgprot(old)))), geo.entrySize(2));
                for (int i = 0; i < n; i++) {
                    deposit(mm, child, pre[i]);
                }
            }
            pg.dsbIshst(); // smp_wmb(): the filled table is visible before it is linked
            pg.write(table, idx, PfnPgprot.userTableDesc(child));
        }
        pg.unlock(mm.ptl);
        pg.op(op, haddr, haddr + size, false);
        return 0;
    }

    // ------------------------------------------------------------------ VMA splitting

    /** {@code __split_vma()} at addr (page tables must already have a boundary there). */
    private void splitVma(Mm mm, long addr) {
        Vma v = mm.findVma(addr);
        if (v == null || v.start == addr) {
            return;
        }
        Vma hi = v.copy();
        hi.start = addr;
        hi.pgoff = v.pgoff + ((addr - v.start) >>> pageShift);
        v.end = addr;
        mm.vmas.put(addr, hi);
    }

    /** Split page tables and VMAs at start and end; 0 or -ENOMEM. */
    private int splitEdges(Mm mm, long start, long end) {
        Vma a = mm.findVma(start);
        if (a != null && a.start != start) {
            int rc = splitAt(mm, start);
            if (rc != 0) {
                return rc;
            }
        }
        Vma b = mm.findVma(end);
        if (b != null && b.start != end) {
            int rc = splitAt(mm, end);
            if (rc != 0) {
                return rc;
            }
        }
        splitVma(mm, start);
        splitVma(mm, end);
        return 0;
    }

    private List<Vma> vmasIn(Mm mm, long start, long end) {
        List<Vma> l = new ArrayList<>();
        Map.Entry<Long, Vma> e = mm.vmas.ceilingEntry(start);
        while (e != null && e.getValue().start < end) {
            l.add(e.getValue());
            e = mm.vmas.higherEntry(e.getKey());
        }
        return l;
    }

    // ------------------------------------------------------------------ munmap / zap / free_pgtables

    /** {@code munmap(addr, len)}: 0, -EINVAL, or -ENOMEM (a PUD split could not allocate; nothing unmapped). */
    public int munmap(Mm mm, long addr, long len) {
        pg.lock(mm.mmapLock);
        try {
            return doMunmap(mm, addr, len);
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    private int doMunmap(Mm mm, long start, long len) {
        if ((start & (pageSize - 1)) != 0 || len <= 0 || start < 0) {
            return -EINVAL;
        }
        len = (len + pageSize - 1) & -pageSize;
        long end = start + len;
        if (end > taskSize) {
            return -EINVAL;
        }
        int rc = splitEdges(mm, start, end);
        if (rc != 0) {
            return rc;
        }
        List<Vma> gone = vmasIn(mm, start, end);
        if (gone.isEmpty()) {
            return 0;
        }
        pg.op("munmap", start, end, true);
        for (Vma v : gone) {
            zapRange(mm, v, v.start, v.end);
            mm.vmas.remove(v.start);
        }
        Map.Entry<Long, Vma> prev = mm.vmas.lowerEntry(start);
        Map.Entry<Long, Vma> next = mm.vmas.ceilingEntry(end);
        long floor = prev == null ? 0 : prev.getValue().end;
        long ceiling = next == null ? top : next.getValue().start;
        List<Long> freed = new ArrayList<>();
        freeLevel(mm, geo.startLevel, mm.pgd, start, end, floor, ceiling, freed);
        tlb.flushTlbRange(mm.asid, start, end, pageSize, freed.isEmpty());
        for (long pa : freed) {
            freeTable(mm, pa);
        }
        pg.op("munmap", start, end, false);
        return 0;
    }

    /** {@code unmap_page_range()} over [start, end) of one VMA (no TLB flush, no table freeing). */
    private void zapRange(Mm mm, Vma vma, long start, long end) {
        zapLevel(mm, vma, geo.startLevel, mm.pgd, start, end);
    }

    private void zapLevel(Mm mm, Vma vma, int level, long table, long addr, long end) {
        if (level == 3) {
            int from = geo.index(3, addr);
            int n = (int) ((end - addr) >>> pageShift);
            for (int i = 0; i < n; i++) {
                if (pg.read(table, from + i) != 0) {
                    pg.write(table, from + i, 0); // ptep_get_and_clear_full
                }
            }
            return;
        }
        long size = geo.entrySize(level);
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (!Desc.isTable(d)) {
                    if (next - addr == size) {
                        zapHuge(mm, vma, level, table, idx, addr, d);
                        addr = next;
                        continue;
                    }
                    if (splitHuge(mm, vma, level, table, idx, addr & -size, d) != 0) {
                        throw new UserBug(String.format("zap of part of the %s leaf at 0x%x could not split it", geo.levelName(level), addr & -size));
                    }
                    d = pg.read(table, idx);
                }
                if (d != 0) {
                    zapLevel(mm, vma, level + 1, Pgtable.tablePa(d), addr, next);
                }
            }
            addr = next;
        } while (addr != end);
    }

    /** {@code zap_huge_pmd()} / {@code zap_huge_pud()}: clear the leaf; withdraw and free its deposit. */
    private void zapHuge(Mm mm, Vma vma, int level, long table, int idx, long haddr, long d) {
        pg.lock(mm.ptl);
        pg.write(table, idx, 0);
        long dep = 0;
        if (hasDeposit(vma, d)) {
            dep = withdraw(mm, table, haddr, level); // zap_deposited_table
        }
        pg.unlock(mm.ptl);
        if (dep != 0) {
            freeTable(mm, dep);
        }
    }

    /**
     * {@code free_pgtables()}: unlink every table under [addr, end) whose whole span lies in
     * [floor, ceiling) (so no remaining VMA can use it); the caller flushes, then frees them.
     */
    private void freeLevel(Mm mm, int level, long table, long addr, long end, long floor, long ceiling, List<Long> out) {
        long size = geo.entrySize(level);
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0 && Desc.isTable(d)) {
                long child = Pgtable.tablePa(d);
                if (level + 1 < 3) {
                    freeLevel(mm, level + 1, child, addr, next, floor, ceiling, out);
                }
                long cs = addr & -size;
                if (cs >= floor && cs + size <= ceiling) {
                    pg.write(table, idx, 0);
                    out.add(child);
                }
            }
            addr = next;
        } while (addr != end);
    }

    // ------------------------------------------------------------------ mprotect

    /**
     * {@code mprotect(addr, len, prot)}: splits huge leaves and VMAs at the edges, then
     * {@code change_protection()}: PTEs through {@code ptep_modify_prot_start/commit}, huge leaves
     * through {@code pmdp_invalidate} + {@code pmd_modify}; one {@code flush_tlb_range} at the end.
     *
     * @return 0, -EINVAL, or -ENOMEM (a hole in the range, or a PUD split could not allocate)
     */
    public int mprotect(Mm mm, long start, long len, int prot) {
        if ((start & (pageSize - 1)) != 0 || len <= 0 || start < 0) {
            return -EINVAL;
        }
        len = (len + pageSize - 1) & -pageSize;
        long end = start + len;
        if (end > taskSize) {
            return -EINVAL;
        }
        pg.lock(mm.mmapLock);
        try {
            long at = start;
            for (Vma v = mm.findVma(at); at < end; v = mm.findVma(at)) {
                if (v == null) {
                    return -ENOMEM;
                }
                at = v.end;
            }
            int rc = splitEdges(mm, start, end);
            if (rc != 0) {
                return rc;
            }
            pg.op("mprotect", start, end, true);
            for (Vma v : vmasIn(mm, start, end)) {
                v.flags = (v.flags & ~UserProt.VM_ACCESS_FLAGS) | (prot & UserProt.VM_ACCESS_FLAGS);
                v.pageProt = UserProt.pageProt(v.flags, v.cache);
                changeLevel(mm, geo.startLevel, mm.pgd, v.start, v.end, v.pageProt);
            }
            tlb.flushTlbRange(mm.asid, start, end, pageSize, false);
            pg.op("mprotect", start, end, false);
            return 0;
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    private void changeLevel(Mm mm, int level, long table, long addr, long end, long prot) {
        if (level == 3) {
            int from = geo.index(3, addr);
            int n = (int) ((end - addr) >>> pageShift);
            for (int i = 0; i < n; i++) {
                long d = pg.read(table, from + i);
                if (d != 0) {
                    long nu = UserProt.pteModify(d, prot);
                    if (nu != d) {
                        pg.write(table, from + i, 0); // ptep_modify_prot_start
                        pg.write(table, from + i, nu); // ptep_modify_prot_commit
                    }
                }
            }
            return;
        }
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (Desc.isTable(d)) {
                    changeLevel(mm, level + 1, Pgtable.tablePa(d), addr, next, prot);
                } else {
                    long nu = UserProt.pteModify(d, prot);
                    if (nu != d) {
                        long size = geo.entrySize(level);
                        pg.lock(mm.ptl);
                        if (Desc.valid(d)) {
                            pg.write(table, idx, PfnPgprot.mkInvalid(d)); // pmdp_invalidate: invalidate, then
                            tlb.flushTlbRange(mm.asid, addr & -size, (addr & -size) + size, size, false); // flush_pmd_tlb_range
                        }
                        pg.write(table, idx, nu);
                        pg.unlock(mm.ptl);
                    }
                }
            }
            addr = next;
        } while (addr != end);
    }

    // ------------------------------------------------------------------ fault

    /**
     * {@code handle_mm_fault()} for an address: in a VMA with a fault handler, the handler inserts
     * its PFN with {@code vmf_insert_pfn_pud}/{@code _pmd} where the entry is none, the whole leaf
     * lies in the VMA and the PFN is aligned (no deposit: arm64 does not need one), else with
     * {@code vmf_insert_pfn}. Returns 0 when the address is mapped afterwards, {@link #FAULT_SIGSEGV},
     * {@link #FAULT_SIGBUS} (a VM_PFNMAP VMA without handler has nothing to insert) or -ENOMEM.
     */
    public int fault(Mm mm, long addr) {
        pg.lock(mm.mmapLock);
        try {
            Vma vma = mm.findVma(addr);
            if (vma == null) {
                return FAULT_SIGSEGV;
            }
            pg.op("handle_mm_fault", addr, 0, true);
            int rc = faultLevel(mm, vma, addr);
            pg.op("handle_mm_fault", addr, 0, false);
            return rc;
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    /**
     * {@code handle_mm_fault(vma, addr, FAULT_FLAG_WRITE)} for a store that found its leaf writable
     * ({@code PTE_WRITE}) but clean ({@code PTE_RDONLY}), as a CPU without hardware dirty-bit
     * management (FEAT_HAFDBS) raises it for every first store to a freshly mapped page:
     * {@code handle_pte_fault()} (or {@code huge_pmd_set_accessed()} / {@code huge_pud_set_accessed()}
     * for a PMD/PUD leaf) makes the entry young and dirty ({@code pte_mkdirty} clears PTE_RDONLY of a
     * writable entry) with {@code ptep_set_access_flags()}, which on arm64 then invalidates the stale
     * read-only entry ({@code flush_tlb_page}). A missing entry is first faulted in as {@link #fault}
     * does.
     *
     * @return 0 when the store can be retried, {@link #FAULT_SIGSEGV} (no VMA, or the VMA is not
     *     writable), or what {@link #fault} returns for a missing entry
     */
    public int writeFault(Mm mm, long addr) {
        pg.lock(mm.mmapLock);
        try {
            Vma vma = mm.findVma(addr);
            if (vma == null || (vma.flags & UserProt.VM_WRITE) == 0) {
                return FAULT_SIGSEGV;
            }
            pg.op("handle_mm_fault", addr, 0, true);
            try {
                int rc = faultLevel(mm, vma, addr);
                if (rc != 0) {
                    return rc;
                }
                TableWalk.Entry e = new TableWalk.Entry();
                long d = TableWalk.leaf(pg, mm.pgd, addr, e);
                if ((d & Desc.WRITE) == 0) {
                    // do_wp_page() on a shared PFN map: not reached, a writable VMA's leaves carry PTE_WRITE.
                    throw new UserBug(String.format("write fault at 0x%x: %s leaf 0x%x of a writable VMA lacks PTE_WRITE", addr,
                            geo.levelName(e.level), d));
                }
                long nu = (d | Desc.AF | Desc.DIRTY) & ~Desc.RDONLY;
                if (nu != d) {
                    pg.lock(mm.ptl);
                    pg.write(e.table, e.idx, nu);
                    pg.unlock(mm.ptl);
                    tlb.flushTlbRange(mm.asid, addr & -pageSize, (addr & -pageSize) + pageSize, pageSize, true);
                }
                return 0;
            } finally {
                pg.op("handle_mm_fault", addr, 0, false);
            }
        } finally {
            pg.unlock(mm.mmapLock);
        }
    }

    /**
     * {@code __handle_mm_fault}'s descent: at each level the entry read once; a leaf already
     * there ends the fault; a none entry gets a huge leaf where the VMA's handler may insert one
     * ({@code vmf_insert_pfn_pud/pmd}), else a table ({@code pud_alloc}/{@code pmd_alloc}/
     * {@code pte_alloc}, which read the entry again); at the PTE level {@code vmf_insert_pfn}.
     */
    private int faultLevel(Mm mm, Vma vma, long addr) {
        return TableWalk.descend(pg, mm.pgd, addr, 3, (level, table, idx, d) -> {
            if (level == 3) {
                if (d != 0) {
                    return TableWalk.STOP;
                }
                if (!vma.faultHandler) {
                    return FAULT_SIGBUS;
                }
                long pfn = vma.pgoff + ((addr - vma.start) >>> pageShift);
                pg.write(table, idx, PfnPgprot.mkSpecial(pp.pfnPte(pfn, vma.pageProt))); // vmf_insert_pfn
                return TableWalk.STOP;
            }
            if (d != 0 && !Desc.isTable(d)) {
                return TableWalk.STOP;
            }
            if (d == 0) {
                if (!vma.faultHandler) {
                    return FAULT_SIGBUS;
                }
                if (hugeLevelAllowed(level)) {
                    long size = geo.entrySize(level);
                    long haddr = addr & -size;
                    long pfn = vma.pgoff + ((haddr - vma.start) >>> pageShift);
                    if (haddr >= vma.start && haddr + size <= vma.end && (pfn & ((size >>> pageShift) - 1)) == 0) {
                        pg.lock(mm.ptl); // vmf_insert_pfn_pmd / vmf_insert_pfn_pud
                        pg.write(table, idx, PfnPgprot.mkSpecial(pp.pmdMkhuge(level == 2 ? pp.pfnPmd(pfn, vma.pageProt) : pp.pfnPud(pfn, vma.pageProt))));
                        pg.unlock(mm.ptl);
                        return TableWalk.STOP;
                    }
                }
            }
            long child = tableFor(mm, level, table, idx, addr);
            return child == 0 ? -ENOMEM : child;
        });
    }

    // ------------------------------------------------------------------ fork

    /**
     * {@code fork()}: {@code dup_mmap()} copies every VMA and, for VM_PFNMAP ones,
     * {@code copy_page_range()}: PTE tables entry by entry, special huge leaves that own a deposit
     * with a new deposit for the child ({@code copy_huge_pmd}, seed 004 v3+; the seed004-v2 variant
     * copies the PMD without one), fault-inserted huge leaves not at all (the child refaults).
     *
     * @return the child, or null (-ENOMEM: the partial child is torn down)
     */
    public Mm fork(Mm parent) {
        pg.lock(parent.mmapLock);
        try {
            Mm child = mmAlloc();
            if (child == null) {
                return null;
            }
            pg.lock(child.mmapLock);
            pg.op("dup_mmap", 0, 0, true);
            int rc = 0;
            for (Vma v : parent.vmas.values()) {
                Vma c = v.copy();
                child.vmas.put(c.start, c);
                if (v.pfnmap()) {
                    rc = copyLevel(parent, child, v, geo.startLevel, parent.pgd, child.pgd, v.start, v.end);
                    if (rc != 0) {
                        break;
                    }
                }
            }
            pg.op("dup_mmap", 0, 0, false);
            pg.unlock(child.mmapLock);
            if (rc != 0) {
                exit(child);
                return null;
            }
            return child;
        } finally {
            pg.unlock(parent.mmapLock);
        }
    }

    private int copyLevel(Mm src, Mm dst, Vma vma, int level, long st, long dt, long addr, long end) {
        if (level == 3) {
            int from = geo.index(3, addr);
            int n = (int) ((end - addr) >>> pageShift);
            for (int i = 0; i < n; i++) {
                long d = pg.read(st, from + i);
                if (d != 0) {
                    pg.write(dt, from + i, d); // copy_present_pte: a shared special PTE is copied as is
                }
            }
            return 0;
        }
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(st, idx);
            if (d != 0) {
                if (!Desc.isTable(d)) {
                    if (hasDeposit(vma, d)) {
                        long dep = 0;
                        if (level == 1 || cfg.variant != PfnmapVariant.SEED004_V2) {
                            dep = pg.allocTable(level + 1, dst.owner);
                            if (dep == 0) {
                                return -ENOMEM;
                            }
                            pg.counterAdd(dst.pgtablesBytes, pageSize);
                        }
                        pg.lock(dst.ptl);
                        pg.lock(src.ptl);
                        pg.write(dt, idx, d);
                        if (dep != 0) {
                            deposit(dst, dt, dep);
                        }
                        pg.unlock(src.ptl);
                        pg.unlock(dst.ptl);
                    }
                    // else: inserted by the fault handler; the child refaults
                } else {
                    long child = tableFor(dst, level, dt, idx, addr);
                    if (child == 0) {
                        return -ENOMEM;
                    }
                    int rc = copyLevel(src, dst, vma, level + 1, Pgtable.tablePa(d), child, addr, next);
                    if (rc != 0) {
                        return rc;
                    }
                }
            }
            addr = next;
        } while (addr != end);
        return 0;
    }

    // ------------------------------------------------------------------ exit

    /**
     * {@code exit_mmap()} + {@code pgd_free()} + {@code check_mm()}: zap every VMA, free every table
     * (one flush_tlb_mm before the pages go), free the root. A non-zero pgtables_bytes or a page still
     * owned by the mm afterwards is logged as the kernel would ("BUG: non-zero pgtables_bytes ...").
     */
    public void exit(Mm mm) {
        pg.lock(mm.mmapLock);
        pg.op("exit_mmap", 0, 0, true);
        for (Vma v : mm.vmas.values()) {
            zapRange(mm, v, v.start, v.end);
        }
        mm.vmas.clear();
        List<Long> freed = new ArrayList<>();
        freeLevel(mm, geo.startLevel, mm.pgd, 0, top, 0, top, freed);
        tlb.flushTlbMm(mm.asid);
        for (long pa : freed) {
            freeTable(mm, pa);
        }
        pg.op("exit_mmap", 0, 0, false);
        pg.unlock(mm.mmapLock);
        pg.freeTable(mm.pgd);
        long bytes = pg.counterValue(mm.pgtablesBytes);
        if (bytes != 0) {
            log.add(String.format("BUG: non-zero pgtables_bytes on freeing mm: %d (%s)", bytes, mm));
        }
        long pages = pg.pages(mm.owner);
        if (pages != 0) {
            log.add(String.format("%s: %d table pages still allocated after exit (leak)", mm, pages));
        }
        mm.dead = true;
        mms[mm.id] = null;
    }
}
