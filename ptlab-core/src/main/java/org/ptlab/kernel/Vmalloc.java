package org.ptlab.kernel;

import java.util.Map;
import java.util.TreeMap;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * The vmalloc and module regions of swapper (mm/vmalloc.c, mm/execmem.c): {@code __vmalloc_node_range}
 * (find a VA range, allocate backing pages, {@code vmap_pages_range}), {@code vfree} with
 * {@code vm_reset_perms()} for {@code VM_FLUSH_RESET_PERMS} areas, {@code find_vm_area}.
 *
 * <p>Layout (arm64, without KASAN): the 2 GiB module region starts at PAGE_END ({@code MODULES_VADDR
 * = _PAGE_END(VA_BITS_MIN)}), vmalloc follows it. Mappings use {@code PAGE_KERNEL}; with
 * {@code VM_ALLOW_HUGE_VMAP} and a page order of at least CONT_PTE (PMD) size the area is mapped
 * with contiguous PTEs (PMD blocks), as {@code arch_vmap_pte_range_map_size} and
 * {@code vmap_try_huge_pmd} decide. Freed VA space is purged eagerly (the model has no lazy vmap
 * purge list): the vmalloc range is flushed when the area is freed.
 */
public final class Vmalloc {
    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    public final int owner;
    public final long modulesStart;
    public final long modulesEnd;
    public final long vmallocStart;
    public final long vmallocEnd;
    private final TreeMap<Long, VmStruct> areas = new TreeMap<>();
    /** Lookup accelerators for find_vm_area (the kernel's is an rbtree too): by start, and the last hit. */
    private final LongMap<VmStruct> byStart = new LongMap<>();
    private VmStruct last;

    Vmalloc(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.owner = pg.owner("vmalloc");
        this.modulesStart = geo.pageEnd;
        this.modulesEnd = modulesStart + (2L << 30);
        this.vmallocStart = modulesEnd;
        this.vmallocEnd = vmallocStart + (1L << (geo.vaBitsMin - 2));
    }

    /** {@code find_vm_area(addr)}: the area whose [addr, addr + size) contains addr, or null. */
    public VmStruct find(long addr) {
        VmStruct hit = last;
        if (hit != null && Long.compareUnsigned(addr - hit.addr, hit.size) < 0) {
            return hit;
        }
        hit = byStart.get(addr);
        if (hit != null) {
            last = hit;
            return hit;
        }
        Map.Entry<Long, VmStruct> e = areas.floorEntry(addr);
        if (e == null || Long.compareUnsigned(addr, e.getValue().end()) >= 0) {
            return null;
        }
        last = e.getValue();
        return e.getValue();
    }

    public Iterable<VmStruct> areas() {
        return areas.values();
    }

    public int count() {
        return areas.size();
    }

    /**
     * {@code __vmalloc_node_range(size, align, start, end, gfp, PAGE_KERNEL, vm_flags, ...)}:
     * returns the area, or null (-ENOMEM) when VA space, pages or a table could not be had; a
     * failed call leaves nothing allocated but the tables it installed.
     *
     * @param module allocate from the module region (execmem) instead of vmalloc
     * @param pageOrder order of the backing pages (0 unless {@code VM_ALLOW_HUGE_VMAP})
     */
    public VmStruct vmalloc(long size, int flags, int pageOrder, boolean module, String caller) {
        long ps = geo.pageSize;
        long chunk = ps << pageOrder;
        if (size <= 0) {
            return null;
        }
        size = (size + chunk - 1) & -chunk;
        long align = Math.max(ps, chunk);
        long lo = module ? modulesStart : vmallocStart;
        long hi = module ? modulesEnd : vmallocEnd;
        long va = findHole(lo, hi, size + ps, align);
        if (va == 0) {
            return null;
        }
        int n = (int) (size / ps);
        VmStruct a = new VmStruct(va, size + ps, flags | VmStruct.VM_ALLOC, pageOrder, n, caller);
        pg.op("vmalloc", va, va + size, true);
        for (int i = 0; i < n; i += 1 << pageOrder) {
            long pa = k.pageAlloc.allocPages(pageOrder);
            if (pa < 0) {
                freePages(a);
                pg.op("vmalloc", va, va + size, false);
                return null;
            }
            for (int j = 0; j < 1 << pageOrder; j++) {
                a.pages[i + j] = pa + j * ps;
            }
            a.nrPages = i + (1 << pageOrder);
        }
        areas.put(va, a);
            byStart.put(va, a);
        int rc = vmapPages(a);
        if (rc != 0) {
            vunmapRange(va, va + size);
            k.tlb.flushTlbKernelRange(va, va + size);
            areas.remove(va);
            byStart.remove(va);
            last = null;
            freePages(a);
            pg.op("vmalloc", va, va + size, false);
            return null;
        }
        pg.op("vmalloc", va, va + size, false);
        return a;
    }

    private void freePages(VmStruct a) {
        for (int i = 0; i < a.nrPages; i += 1 << a.pageOrder) {
            k.pageAlloc.freePages(a.pages[i], a.pageOrder);
        }
        a.nrPages = 0;
    }

    /** End of the most recently allocated area: the next allocation tries just above it first. */
    private long cursor;

    private long findHole(long lo, long hi, long size, long align) {
        // Fast path: above the last allocation, when nothing lies there (keeps allocation O(log n)
        // with many live areas; the kernel's augmented rbtree finds the lowest fit instead).
        if (Long.compareUnsigned(cursor, lo) >= 0 && Long.compareUnsigned(cursor, hi) < 0) {
            long c = (cursor + align - 1) & -align;
            Map.Entry<Long, VmStruct> above = areas.ceilingEntry(c);
            Map.Entry<Long, VmStruct> below = areas.lowerEntry(c);
            boolean clearBelow = below == null || Long.compareUnsigned(below.getValue().end(), c) <= 0;
            boolean clearAbove = above == null || Long.compareUnsigned(c + size, above.getKey()) <= 0;
            if (clearBelow && clearAbove && Long.compareUnsigned(c + size, hi) <= 0) {
                cursor = c + size;
                return c;
            }
        }
        long found = firstFit(lo, hi, size, align);
        if (found != 0) {
            cursor = found + size;
        }
        return found;
    }

    private long firstFit(long lo, long hi, long size, long align) {
        long cur = (lo + align - 1) & -align;
        for (VmStruct a : areas.subMap(lo, true, hi, false).values()) {
            if (Long.compareUnsigned(cur + size, a.addr) <= 0) {
                return cur;
            }
            if (Long.compareUnsigned(a.end(), cur) > 0) {
                cur = (a.end() + align - 1) & -align;
            }
        }
        return Long.compareUnsigned(cur + size, hi) <= 0 ? cur : 0;
    }

    /**
     * A {@code VM_ALLOC} area backed by pages the caller chose (they must be free; they are taken
     * from the allocator): vmalloc with the page allocator's choice made explicit, for benchmarks
     * and scenarios that need the linear alias at a given place. Null when a page is not free or
     * no VA space or table is left.
     */
    public VmStruct vmallocPages(long[] pas, int flags, boolean module, String caller) {
        long ps = geo.pageSize;
        for (int i = 0; i < pas.length; i++) {
            if (!k.pageAlloc.takeRange(pas[i], pas[i] + ps)) {
                for (int j = 0; j < i; j++) {
                    k.pageAlloc.freePages(pas[j], 0);
                }
                return null;
            }
        }
        long size = pas.length * ps;
        long va = findHole(module ? modulesStart : vmallocStart, module ? modulesEnd : vmallocEnd, size + ps, ps);
        VmStruct a = va == 0 ? null : new VmStruct(va, size + ps, flags | VmStruct.VM_ALLOC, 0, pas.length, caller);
        if (a != null) {
            System.arraycopy(pas, 0, a.pages, 0, pas.length);
            a.nrPages = pas.length;
            pg.op("vmalloc", va, va + size, true);
            areas.put(va, a);
            byStart.put(va, a);
            if (vmapPages(a) != 0) {
                vunmapRange(va, va + size);
                k.tlb.flushTlbKernelRange(va, va + size);
                areas.remove(va);
            byStart.remove(va);
            last = null;
                a = null;
            }
            pg.op("vmalloc", va, va + size, false);
        }
        if (a == null) {
            for (long p : pas) {
                k.pageAlloc.freePages(p, 0);
            }
        }
        return a;
    }

    /**
     * {@code vfree(addr)}: unmap the area and flush its range; for {@code VM_FLUSH_RESET_PERMS}
     * areas {@code vm_reset_perms()}: linear aliases invalid (noflush), one flush covering both the
     * vmalloc range and the aliases, aliases back to default; then free the pages.
     */
    public void vfree(VmStruct a) {
        long ps = geo.pageSize;
        long end = a.addr + a.mappedSize(ps);
        pg.op("vfree", a.addr, end, true);
        areas.remove(a.addr);
        byStart.remove(a.addr);
        last = null;
        vunmapRange(a.addr, end);
        if (a.has(VmStruct.VM_FLUSH_RESET_PERMS) && a.nrPages > 0) {
            long s = a.addr;
            long e = end;
            long chunk = ps << a.pageOrder;
            for (int i = 0; i < a.nrPages; i += 1 << a.pageOrder) {
                long la = k.physToVirt(a.pages[i]);
                s = Long.compareUnsigned(la, s) < 0 ? la : s;
                e = Long.compareUnsigned(la + chunk, e) > 0 ? la + chunk : e;
            }
            for (int i = 0; i < a.nrPages; i++) {
                k.pageAttr.setDirectMapInvalidNoflush(a.pages[i]);
            }
            k.tlb.flushTlbKernelRange(s, e);
            for (int i = 0; i < a.nrPages; i++) {
                k.pageAttr.setDirectMapDefaultNoflush(a.pages[i]);
            }
            k.collapse.afterResetPerms(a);
        } else {
            k.tlb.flushTlbKernelRange(a.addr, end);
        }
        freePages(a);
        pg.op("vfree", a.addr, end, false);
    }

    // ------------------------------------------------------------------ vmap_pages_range

    private int vmapPages(VmStruct a) {
        long ps = geo.pageSize;
        long chunk = ps << a.pageOrder;
        boolean huge = a.has(VmStruct.VM_ALLOW_HUGE_VMAP);
        long prot = Desc.pageKernel(k.ng());
        for (int i = 0; i < a.nrPages; i += 1 << a.pageOrder) {
            long va = a.addr + (long) i * ps;
            long pa = a.pages[i];
            int rc;
            if (huge && chunk >= geo.entrySize(2)) {
                rc = mapHuge(va, pa, chunk, prot);
            } else {
                rc = mapPtes(va, pa, chunk, prot, huge && chunk >= geo.contPteSize);
            }
            if (rc != 0) {
                return rc;
            }
        }
        // flush_cache_vmap() is empty on arm64: the barriers came from set_pmd (at once) and from
        // leaving each PTE table's lazy MMU section (mapPtes).
        return 0;
    }

    /** The table at {@code level} for va, allocating missing tables down from the root; 0 on -ENOMEM. */
    private long tableFor(long va, int level) {
        // vmap_range_noflush: p4d/pud/pmd_alloc_track and pte_alloc_kernel_track on the way down
        return TableWalk.tableAt(pg, k.swapper, va, level, (l, table, idx, d) -> {
            if (d != 0) {
                if (l == 2 && level == 3) {
                    throw new KernelBug(String.format("vmap: PMD for 0x%x is a block (0x%x)", va, d));
                }
                throw new KernelBug(String.format("vmap: %s for 0x%x is a leaf", geo.levelName(l), va));
            }
            long t = pg.allocTable(l + 1, owner);
            if (t == 0) {
                return 0;
            }
            pg.dsbIshst();
            k.lazy.setEntry(table, idx, Desc.tableDesc(t, false)); // pmd_populate_kernel: set_pmd
            return t;
        });
    }

    private int mapPtes(long va, long pa, long size, long prot, boolean cont) {
        long ps = geo.pageSize;
        long end = va + size;
        while (va != end) {
            long table = tableFor(va, 3);
            if (table == 0) {
                return -Errno.ENOMEM;
            }
            long next = geo.addrEnd(2, va, end);
            // vmap_pages_pte_range(): one lazy MMU section per PTE table
            k.lazy.enter();
            for (; va != next; va += ps, pa += ps) {
                int idx = geo.index(3, va);
                if (pg.read(table, idx) != 0) {
                    throw new KernelBug(String.format("vmap: PTE for 0x%x is not none", va));
                }
                k.lazy.setEntry(table, idx, pa | prot | (cont ? Desc.CONT : 0));
            }
            k.lazy.leave();
        }
        return 0;
    }

    /** {@code vmap_try_huge_pmd}: PMD blocks, freeing an empty PTE table left by an earlier vunmap. */
    private int mapHuge(long va, long pa, long size, long prot) {
        long pmd = geo.entrySize(2);
        long end = va + size;
        for (; va != end; va += pmd, pa += pmd) {
            long table = tableFor(va, 2);
            if (table == 0) {
                return -Errno.ENOMEM;
            }
            int idx = geo.index(2, va);
            long d = pg.read(table, idx);
            if (d != 0 && Desc.isTable(d)) {
                long pte = Pgtable.tablePa(d);
                for (int i = 0; i < geo.ptrsPerTable; i++) {
                    if (pg.read(pte, i) != 0) {
                        throw new KernelBug(String.format("vmap: PTE table under 0x%x is not empty", va));
                    }
                }
                // pmd_free_pte_page(): clear, flush the walk caches, free.
                k.lazy.setEntry(table, idx, 0); // pmd_clear
                k.tlb.flushTlbKernelPgtable(va);
                pg.freeTable(pte);
            } else if (d != 0) {
                throw new KernelBug(String.format("vmap: PMD for 0x%x is not none", va));
            }
            k.lazy.setEntry(table, idx, pa | Desc.mkSect(prot)); // pmd_set_huge: set_pmd, barriers at once
        }
        return 0;
    }

    /** {@code vunmap_range_noflush}: clear every leaf in [start, end); tables stay. */
    private void vunmapRange(long start, long end) {
        clear(geo.startLevel, k.swapper, start, end);
    }

    private void clear(int level, long table, long addr, long end) {
        if (level == 3) {
            // vunmap_pte_range(): one lazy MMU section per PTE table (clearing queues no barriers)
            k.lazy.enter();
        }
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (level == 3 || !Desc.isTable(d)) {
                    k.lazy.setEntry(table, idx, 0);
                } else {
                    clear(level + 1, Pgtable.tablePa(d), addr, next);
                }
            }
            addr = next;
        } while (addr != end);
        if (level == 3) {
            k.lazy.leave();
        }
    }
}
