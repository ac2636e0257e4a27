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

    World(ExploreMachine spec, Set<Mutation> mutations) {
        this.k = Kernel.boot(spec.config(), spec.layout());
        this.pg = k.pg;
        this.geo = k.geo;
        this.lazy = new LazyMmu(pg, k.cfg.variants, spec.cpus());
        this.mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
        this.lazy.omitFlushForMutationTesting(this.mutations.contains(Mutation.NO_LAZY_FLUSH));
        this.visibility = new Visibility(pg);
        pg.addObserver(visibility);
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
        pg.op(what, va, va + geo.pageSize, false);
    }

    /** Helpers that do not schedule (setup before the CPUs start). */
    public void setupInvalidate(long va) {
        long[] p = ptep(va);
        long d = pg.peek(p[0], (int) p[1]);
        pg.write(p[0], (int) p[1], (d & ~Desc.VALID) | Desc.PRESENT_INVALID);
    }
}
