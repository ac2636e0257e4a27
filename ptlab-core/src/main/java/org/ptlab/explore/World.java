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
 * force, and the hazard tracker; plus the kernel operations scenarios are written in, marked with
 * {@code pg.op(...)} begin/end (every shared access is a scheduling point of the accessor layer).
 *
 * <p>Most operations run the kernel model's own code: {@code kernel.Split} (unless a split
 * mutation is in force), {@code kernel.PageAttr}'s {@code __change_memory_common},
 * {@code kernel.Collapse}'s {@code try_collapse_kernel_pmd} and scanner, {@code kernel.Hotplug}.
 * Scenario-local code remains for two reasons only: the split mutants below (the kernel has no
 * lock-less or one-entry-CONT split variant), and the lazy-MMU-aware PTE operations (see the
 * section comment there).
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
        // spec already carries the kernel variants of the mutations that alias one
        // (ExploreScenario.bootMachine); the others are the explorer's own mutants below
        this.mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
        this.k = Kernel.boot(spec.config(), spec.layout());
        this.pg = k.pg;
        this.geo = k.geo;
        this.lazy = new LazyMmu(pg, k.cfg.variants, spec.cpus());
        this.lazy.omitFlushForMutationTesting(this.mutations.contains(Mutation.NO_LAZY_FLUSH));
        this.visibility = new Visibility(pg);
        pg.addObserver(visibility);
        if (spec.hw() != null) {
            // each modelled core has BBML2_NOABORT exactly when the kernel's per-CPU check says that
            // CPU has it (HwModel.perCpu, as workload.trace.KernelHw): under bbml2=boot-cpu the kernel may
            // still split live while a secondary's core lacks it
            this.hw = org.ptlab.hw.HwModel.perCpu(pg, org.ptlab.hw.Presets.get(spec.hw()), spec.cpus(),
                    i -> k.cfg.cpuHasBbml2(k.cfg.cpus.get(i)), k.swapper);
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

    // Why these stay scenario-local (set_memory_valid/invalid, __kernel_map_pages, __set_pte,
    // ptep_set_rdonly): their descriptor writes go through LazyMmu.setEntry, so inside a lazy MMU
    // section the dsb ishst; isb is deferred (TIF_LAZY_MMU_PENDING) until the flush, and nested
    // enter/leave follow the lazy=... variant. kernel.LazyMmu is not wired into kernel.PageAttr or
    // kernel.Split: their walks issue the barriers at once at the end of the walk, so with the
    // kernel's set_memory_valid the seed 002 and lazy-publish scenarios could not defer anything
    // and would lose exactly the hazard they exist to show. They also work on PTE-mapped linear
    // memory only (the debug_pagealloc machines), where no split is involved.

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

    // ------------------------------------------------------------------ pageattr and collapse: the kernel's code

    /** Pages some completed set_memory_ro made read-only: checked at the end of the execution. */
    private final java.util.List<long[]> readOnlyPromises = new java.util.ArrayList<>();

    /**
     * The kernel's own {@code __change_memory_common(va, pages, set, clear)} on the linear map
     * ({@link org.ptlab.kernel.PageAttr#changeCommon}): split_kernel_leaf_mapping, the lockless
     * pageattr walk (taking the collapse=background region locks when that variant is selected)
     * and flush_tlb_kernel_range (skipped under pageattr=no-flush, the no-tlb-flush mutation). A
     * read-only change is a promise checked at the end. Scenario operations
     * {@code change_memory_common ADDR PAGES ro|rw} and {@code set_memory_ro ADDR [PAGES]}.
     */
    public int kernelChangeMemory(long va, int pages, boolean readOnly) {
        long end = va + pages * geo.pageSize;
        String name = readOnly ? "set_memory_ro" : "set_memory_rw";
        pg.op(name, va, end, true);
        int rc = org.ptlab.ops.Ops.call(k, "__change_memory_common", va, pages,
                readOnly ? org.ptlab.ops.Param.RO : org.ptlab.ops.Param.RW);
        if (rc == 0 && readOnly) {
            readOnlyPromises.add(new long[] {va, end});
        }
        pg.op(name, va, end, false);
        return rc;
    }

    /**
     * Seed 001's {@code try_collapse_kernel_pmd} as the kernel models it ({@link
     * org.ptlab.kernel.Collapse#tryCollapseKernelPmd}: under pgtable_split_lock only; the PTE table
     * freed after __flush_tlb_kernel_pgtable, or before it under collapse-free=free-before-flush,
     * the collapse-free-before-flush mutation).
     */
    public void kernelTryCollapseKernelPmd(long addr) {
        k.collapse.tryCollapseKernelPmd(addr);
    }

    /** One pass of the kernel's collapse=background scanner over every region. */
    public int collapseScan() {
        return k.collapse.scan(k.collapse.linearSpan(), true);
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
