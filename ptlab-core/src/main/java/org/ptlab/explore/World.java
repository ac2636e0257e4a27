package org.ptlab.explore;

import java.util.EnumSet;
import java.util.Set;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelBug;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.Sched;

/**
 * One execution's modelled world: a freshly booted kernel, its lazy MMU state, the mutations in
 * force, and the hazard tracker; plus the kernel operations scenarios are written in. Each
 * operation is the kernel function of the same name expressed over the accessor layer (every
 * shared access a scheduling point), marked with {@code pg.op(...)} begin/end.
 */
public final class World {
    public final Kernel k;
    public final Pgtable pg;
    public final Geometry geo;
    public final LazyMmu lazy;
    public final Set<Mutation> mutations;
    public final Visibility visibility;
    /** The hardware model (TLBs, walk caches, hazard checks), or null. */
    public final org.ptlab.hw.HwModel hw;

    World(ExploreMachine spec, Set<Mutation> mutations) {
        this.k = Kernel.boot(spec.config(), spec.layout());
        this.pg = k.pg;
        this.geo = k.geo;
        this.lazy = new LazyMmu(pg, k.cfg.variants, spec.cpus());
        this.mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
        this.lazy.omitFlushForMutationTesting(this.mutations.contains(Mutation.NO_LAZY_FLUSH));
        this.visibility = new Visibility(pg);
        pg.addObserver(visibility);
        if (spec.hw() != null) {
            org.ptlab.hw.CoreConfig core = org.ptlab.hw.Presets.get(spec.hw());
            // the hardware agrees with what the kernel detected, unless the mutation makes the
            // kernel trust the boot CPU alone while the CPUs walking the tables lack BBML2_NOABORT
            core.bbml2NoAbort = k.cfg.systemBbml2() && !mutations.contains(Mutation.BBML2_BOOT_CPU_ONLY);
            this.hw = new org.ptlab.hw.HwModel(pg, core, spec.cpus()).attach();
            hw.setRoots(0, k.swapper);
        } else {
            this.hw = null;
        }
        pg.addObserver(new org.ptlab.pgtable.PgtableObserver() {
            @Override
            public void onRead(int cpu, long tablePa, int level, int idx, long val) {
                if (!pg.isLiveTable(tablePa)) {
                    throw new KernelBug(String.format("use after free: CPU%d read %s[%d] of freed table 0x%x", cpu, geo.levelName(level), idx, tablePa));
                }
            }

            @Override
            public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
                if (!pg.isLiveTable(tablePa)) {
                    throw new KernelBug(String.format("use after free: CPU%d wrote %s[%d] of freed table 0x%x", cpu, geo.levelName(level), idx, tablePa));
                }
            }
        });
    }

    /** First VA of the linear map (the linear address of the RAM base). */
    public long linearBase() {
        return k.physToVirt(k.mem.memory().get(0).start());
    }

    // ------------------------------------------------------------------ split

    /**
     * {@code split_kernel_leaf_mapping(start, end)} (reference 3.3, steps 3-6): take
     * pgtable_split_lock, enter lazy MMU mode, make start and end leaf boundaries, leave, unlock.
     * No TLB invalidation.
     */
    public int splitKernelLeafMapping(long start, long end) {
        if (((start | end) & (geo.pageSize - 1)) != 0) {
            return -Errno.EINVAL;
        }
        if (!mutations.contains(Mutation.NO_SPLIT_LOCK) && !mutations.contains(Mutation.COUNTER_OUTSIDE_LOCK)
                && !mutations.contains(Mutation.CONT_ONE_ENTRY)) {
            return k.split.splitKernelLeafMapping(start, end); // the kernel's own code
        }
        pg.op("split_kernel_leaf_mapping", start, end, true);
        boolean locked = !mutations.contains(Mutation.NO_SPLIT_LOCK);
        boolean deferCounters = mutations.contains(Mutation.COUNTER_OUTSIDE_LOCK);
        if (locked) {
            pg.lock(k.pgtableSplitLock);
        }
        long[] before = deferCounters ? counterSnapshot() : null;
        lazy.enter();
        int rc;
        if (end - start == geo.pageSize) {
            rc = splitAt(Long.numberOfTrailingZeros(start) < Long.numberOfTrailingZeros(end) ? start : end);
        } else {
            rc = splitAt(start);
            if (rc == 0) {
                rc = splitAt(end);
            }
        }
        lazy.leave();
        long[] delta = null;
        if (deferCounters) {
            // The mutant: the accounting the split did under the lock is instead applied after
            // the unlock, as separate read-modify-writes of the shared counter words.
            delta = counterSnapshot();
            for (int i = 0; i < delta.length; i++) {
                delta[i] -= before[i];
                pg.counterSet(k.directMap.counterId(MapSize.VALUES[i]), before[i]);
            }
        }
        if (locked) {
            pg.unlock(k.pgtableSplitLock);
        }
        if (delta != null) {
            for (int i = 0; i < delta.length; i++) {
                if (delta[i] != 0) {
                    pg.counterAdd(k.directMap.counterId(MapSize.VALUES[i]), delta[i]);
                }
            }
        }
        pg.op("split_kernel_leaf_mapping", start, end, false);
        return rc;
    }

    private long[] counterSnapshot() {
        long[] v = new long[MapSize.VALUES.length];
        for (MapSize s : MapSize.VALUES) {
            v[s.ordinal()] = k.directMap.bytes(s);
        }
        return v;
    }

    /**
     * {@code split_kernel_leaf_mapping_locked(addr)}: {@link org.ptlab.kernel.Split#splitAt}, or
     * under {@link Mutation#CONT_ONE_ENTRY} the same walk with a CONT clear of one entry only.
     */
    public int splitAt(long addr) {
        if (!mutations.contains(Mutation.CONT_ONE_ENTRY)) {
            return k.split.splitAt(addr);
        }
        long table = k.swapper;
        for (int level = geo.startLevel; level <= 3; level++) {
            long align = level < 2 ? geo.entrySize(level) : geo.contSize(level);
            if ((addr & (align - 1)) == 0) {
                return 0;
            }
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (!Desc.present(d)) {
                return 0;
            }
            if (level == 3) {
                if (Desc.cont(d)) {
                    clearContOne(3, table, idx, addr, d);
                }
                return 0;
            }
            if (Desc.isLeaf(level, d)) {
                if (level == 2 && Desc.cont(d)) {
                    clearContOne(2, table, idx, addr, d);
                    if ((addr & (geo.entrySize(2) - 1)) == 0) {
                        return 0;
                    }
                }
                int rc = k.split.splitBlock(level, table, idx, addr, true);
                if (rc != 0) {
                    return rc;
                }
                d = pg.read(table, idx);
            }
            table = Pgtable.tablePa(d);
        }
        return 0;
    }

    private void clearContOne(int level, long table, int idx, long addr, long d) {
        pg.write(table, idx, d & ~Desc.CONT);
        k.directMap.moved(addr & -geo.entrySize(level), MapSize.of(level, true), MapSize.of(level, false), geo.entrySize(level));
    }

    // ------------------------------------------------------------------ lazy MMU and pageattr-lite

    /** The PTE table and index mapping a PTE-mapped linear VA (a READ_ONCE walk). */
    private long[] ptep(long va) {
        long table = k.swapper;
        for (int level = geo.startLevel; level < 3; level++) {
            long d = pg.read(table, geo.index(level, va));
            if (!Desc.isTable(d)) {
                throw new KernelBug(String.format("0x%x is not PTE mapped (%s is %s)", va, geo.levelName(level),
                        Desc.describe(level, d)));
            }
            table = Pgtable.tablePa(d);
        }
        return new long[] {table, geo.index(3, va)};
    }

    /**
     * One page of {@code __change_memory_common}'s PTE update (via {@code __set_pte}, which
     * queues the barriers): set or clear PTE bits of a PTE-mapped linear VA.
     */
    public void setPteBits(long va, long set, long clear) {
        long[] p = ptep(va);
        long d = pg.read(p[0], (int) p[1]);
        lazy.setEntry(p[0], (int) p[1], (d & ~clear) | set);
    }

    /** {@code set_memory_valid(addr, pages, enable)} on PTE-mapped linear memory (own lazy section). */
    public void setMemoryValid(long va, int pages, boolean enable) {
        pg.op(enable ? "set_memory_valid" : "set_memory_invalid", va, va + pages * geo.pageSize, true);
        lazy.enter();
        for (int i = 0; i < pages; i++) {
            long a = va + i * geo.pageSize;
            if (enable) {
                setPteBits(a, Desc.VALID, Desc.PRESENT_INVALID);
            } else {
                setPteBits(a, Desc.PRESENT_INVALID, Desc.VALID);
            }
        }
        lazy.leave();
        if (!enable) {
            k.tlb.flushTlbKernelRange(va, va + pages * geo.pageSize);
        }
        pg.op(enable ? "set_memory_valid" : "set_memory_invalid", va, va + pages * geo.pageSize, false);
    }

    /** {@code __kernel_map_pages(page, n, 1)} under DEBUG_PAGEALLOC (alloc_pages' map step). */
    public void kernelMapPages(long va, int pages) {
        pg.op("__kernel_map_pages", va, pages, true);
        lazy.kernelMapPages(() -> setMemoryValid(va, pages, true));
        pg.op("__kernel_map_pages", va, pages, false);
    }

    /** A PTE change inside a batch (zap/change loops): make a linear page read-only. */
    public void ptepSetRdonly(long va) {
        pg.op("ptep_set_rdonly", va, va + geo.pageSize, true);
        setPteBits(va, Desc.RDONLY, Desc.WRITE);
        pg.op("ptep_set_rdonly", va, va + geo.pageSize, false);
    }

    /** A single {@code __set_pte()} making a PTE-mapped linear page valid (barriers queued, no section of its own). */
    public void setPteValid(long va) {
        pg.op("__set_pte", va, va + geo.pageSize, true);
        setPteBits(va, Desc.VALID, Desc.PRESENT_INVALID);
        pg.op("__set_pte", va, va + geo.pageSize, false);
    }

    public void lazyEnter() {
        lazy.enter();
    }

    public void lazyLeave() {
        lazy.leave();
    }

    /**
     * An access by the current CPU through a linear VA ({@code clear_page}, a memcpy): the
     * hardware walk of this CPU, a scheduling point. Faults (a KernelBug) if the translation is
     * invalid; a hazard if it depends on a descriptor write whose barriers have not been issued.
     */
    public void touch(long va, String what) {
        pg.op(what, va, va + geo.pageSize, true);
        Sched s = pg.sched();
        if (s != null) {
            s.point(pg.cpu, Sched.Point.TRANSLATE, va);
        }
        visibility.checkAccess(pg.cpu, k.swapper, va, what);
        if (hw != null) {
            int type = what.equals("clear_page") || what.equals("store") ? org.ptlab.hw.HwModel.STORE : org.ptlab.hw.HwModel.LOAD;
            if (hw.access(pg.cpu, va, type) == -1) {
                throw new KernelBug(String.format("CPU%d %s 0x%x: the hardware model faults (%s)", pg.cpu, what, va,
                        hw.lastFault == 1 ? "translation" : "permission"));
            }
        }
        pg.op(what, va, va + geo.pageSize, false);
    }

    // ------------------------------------------------------------------ seed 001: collapse vs pageattr

    /** Pages some completed set_memory_ro made read-only: checked at the end of the execution. */
    private final java.util.List<long[]> readOnlyPromises = new java.util.ArrayList<>();

    /**
     * {@code set_memory_ro(addr, pages)} on the linear map (the pageattr path with BBML2):
     * {@code split_kernel_leaf_mapping} of the range under pgtable_split_lock, then the lockless
     * page-table walk rewriting each PTE read-only inside a lazy MMU section, then
     * {@code flush_tlb_kernel_range}. On return the pages must be read-only.
     */
    public int setMemoryRo(long va, int pages) {
        long end = va + pages * geo.pageSize;
        pg.op("set_memory_ro", va, end, true);
        int rc = splitKernelLeafMapping(va, end);
        if (rc == 0) {
            lazy.enter();
            for (long a = va; a != end; a += geo.pageSize) {
                long table = k.swapper;
                int level = geo.startLevel;
                long d;
                while (true) {
                    int idx = geo.index(level, a);
                    d = pg.read(table, idx);
                    if (level == 3 || Desc.isLeaf(level, d) || !Desc.present(d)) {
                        break;
                    }
                    table = Pgtable.tablePa(d);
                    level++;
                }
                if (level != 3) {
                    throw new KernelBug(String.format("set_memory_ro: the pageattr walk met a %s leaf at 0x%x after the split (%s)",
                            geo.levelName(level), a, Desc.describe(level, d)));
                }
                lazy.setEntry(table, geo.index(3, a), (d | Desc.RDONLY) & ~Desc.WRITE);
            }
            lazy.leave();
            if (!mutations.contains(Mutation.NO_TLB_FLUSH)) {
                k.tlb.flushTlbKernelRange(va, end);
            }
            readOnlyPromises.add(new long[] {va, end});
        }
        pg.op("set_memory_ro", va, end, false);
        return rc;
    }

    /**
     * The kernel's own {@code __change_memory_common(va, pages, set, clear)} on the linear map
     * ({@link org.ptlab.kernel.PageAttr#changeCommon}): split_kernel_leaf_mapping, the lockless
     * pageattr walk (taking the collapse=background region locks when that variant is selected)
     * and flush_tlb_kernel_range. A read-only change is a promise checked at the end.
     */
    public int kernelChangeMemory(long va, int pages, boolean readOnly) {
        long end = va + pages * geo.pageSize;
        String name = readOnly ? "set_memory_ro" : "set_memory_rw";
        pg.op(name, va, end, true);
        int rc = readOnly ? k.pageAttr.changeCommon(va, end - va, Desc.RDONLY, Desc.WRITE)
                : k.pageAttr.changeCommon(va, end - va, Desc.WRITE, Desc.RDONLY);
        if (rc == 0 && readOnly) {
            readOnlyPromises.add(new long[] {va, end});
        }
        pg.op(name, va, end, false);
        return rc;
    }

    /** The kernel's collapse=seed001 {@code try_collapse_kernel_pmd} ({@link org.ptlab.kernel.Collapse}). */
    public void kernelTryCollapseKernelPmd(long addr) {
        k.collapse.tryCollapseKernelPmd(addr);
    }

    /** One pass of the kernel's collapse=background scanner over every region. */
    public int collapseScan() {
        return k.collapse.scan(k.collapse.linearSpan(), true);
    }

    /**
     * Seed 001 (RFC 6/6) {@code try_collapse_kernel_pmd(addr)}, as the reference (section 3.7)
     * describes it: under pgtable_split_lock, if the PMD holds a PTE table whose 512 entries are
     * valid, consecutive from a PMD-aligned PFN with equal attributes (CONT ignored), write the
     * PMD block over the table, {@code __flush_tlb_kernel_pgtable(addr)}, and free the table.
     * Scenario-local until a kernel collapse lands; it moves the DirectMap counters too.
     */
    public boolean tryCollapseKernelPmd(long addr) {
        if ((addr & (geo.entrySize(2) - 1)) != 0) {
            throw new KernelBug(String.format("try_collapse_kernel_pmd: 0x%x is not PMD aligned", addr));
        }
        pg.op("try_collapse_kernel_pmd", addr, addr + geo.entrySize(2), true);
        pg.lock(k.pgtableSplitLock);
        boolean done = false;
        long table = k.swapper;
        long d = 0;
        boolean ok = true;
        for (int level = geo.startLevel; level < 2; level++) {
            d = pg.read(table, geo.index(level, addr));
            if (!Desc.isTable(d)) {
                ok = false;
                break;
            }
            table = Pgtable.tablePa(d);
        }
        int pmdIdx = geo.index(2, addr);
        long pmd = ok ? pg.read(table, pmdIdx) : 0;
        if (ok && Desc.isTable(pmd)) {
            long pte = Pgtable.tablePa(pmd);
            lazy.enter();
            long first = pg.read(pte, 0);
            long prot = Desc.pgprot(first) & ~Desc.CONT;
            long oa = first & Desc.OA_MASK;
            ok = Desc.valid(first) && (oa & (geo.entrySize(2) - 1)) == 0;
            long[] cont = new long[2];
            for (int i = 0; ok && i < geo.ptrsPerTable; i++) {
                long e = i == 0 ? first : pg.read(pte, i);
                ok = Desc.valid(e) && (e & Desc.OA_MASK) == oa + i * geo.pageSize && (Desc.pgprot(e) & ~Desc.CONT) == prot;
                cont[Desc.cont(e) ? 1 : 0]++;
            }
            if (ok) {
                lazy.setEntry(table, pmdIdx, oa | Desc.mkSect(prot));
                if (mutations.contains(Mutation.COLLAPSE_FREE_BEFORE_FLUSH)) {
                    pg.freeTable(pte); // deliberately broken: a walk cache may still point at it
                    k.tlb.flushTlbKernelPgtable(addr);
                } else {
                    k.tlb.flushTlbKernelPgtable(addr);
                    pg.freeTable(pte);
                }
                long ps = geo.pageSize;
                k.directMap.moved(addr, org.ptlab.arch.MapSize.CONT_PTE, org.ptlab.arch.MapSize.PMD, cont[1] * ps);
                k.directMap.moved(addr, org.ptlab.arch.MapSize.PTE, org.ptlab.arch.MapSize.PMD, cont[0] * ps);
                done = true;
            }
            lazy.leave();
        }
        pg.unlock(k.pgtableSplitLock);
        pg.op("try_collapse_kernel_pmd", addr, addr + geo.entrySize(2), false);
        return done;
    }

    /**
     * {@code add_memory()} + online of [va, va + size) of the linear map ({@link
     * org.ptlab.kernel.Hotplug#addMemory}: {@code arch_add_memory} under the hotplug lock, which
     * is not pgtable_split_lock). The explorer's machines use 2M memory blocks.
     */
    public int addMemory(long va, long size) {
        int rc = k.hotplug.addMemory(k.virtToPhys(va), size);
        if (rc != 0) {
            throw new KernelBug(String.format("add_memory(0x%x, 0x%x) failed: %s", k.virtToPhys(va), size, Errno.name(rc)));
        }
        return rc;
    }

    /** Scenario-level mutexes (e.g. an execmem lock providing "exclusion from above"). */
    private final java.util.Map<String, org.ptlab.pgtable.KLock> mutexes = new java.util.HashMap<>();

    /** {@code mutex_lock(&NAME)} of a scenario-level mutex (created on first use). */
    public void mutexLock(String name) {
        pg.lock(mutexes.computeIfAbsent(name, org.ptlab.pgtable.KLock::new));
    }

    /** {@code mutex_unlock(&NAME)}. */
    public void mutexUnlock(String name) {
        org.ptlab.pgtable.KLock l = mutexes.get(name);
        if (l == null) {
            throw new KernelBug("mutex_unlock of " + name + ", never locked");
        }
        pg.unlock(l);
    }

    /** The scenario-level mutexes (for the end-of-execution check that none is held). */
    java.util.Collection<org.ptlab.pgtable.KLock> mutexes() {
        return mutexes.values();
    }

    /** Postconditions of completed operations (checked when every CPU has finished), or null. */
    String checkPromises() {
        for (long[] r : readOnlyPromises) {
            for (long a = r[0]; a != r[1]; a += geo.pageSize) {
                long table = k.swapper;
                for (int level = geo.startLevel; level <= 3; level++) {
                    long d = pg.peek(table, geo.index(level, a));
                    if (level == 3 || Desc.isLeaf(level, d) || !Desc.present(d)) {
                        if (!Desc.rdonly(d)) {
                            return String.format("set_memory_ro(0x%x) returned but 0x%x is mapped writable: %s %s (a lost update)",
                                    r[0], a, geo.levelName(level), Desc.describe(level, d));
                        }
                        break;
                    }
                    table = Pgtable.tablePa(d);
                }
            }
        }
        return null;
    }

    /** Helpers that do not schedule (setup before the CPUs start). */
    public void setupInvalidate(long va) {
        long[] p = ptep(va);
        long d = pg.peek(p[0], (int) p[1]);
        pg.write(p[0], (int) p[1], (d & ~Desc.VALID) | Desc.PRESENT_INVALID);
    }
}
