package org.ptlab.explore;

import java.util.EnumSet;
import java.util.Set;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelBug;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.pgtable.Sched;

/**
 * One execution's modelled world: a freshly booted kernel, its lazy MMU state, the mutations in
 * force, and the hazard tracker; plus the kernel operations scenarios are written in, marked with
 * {@code pg.op(...)} begin/end (every shared access is a scheduling point of the accessor layer).
 *
 * <p>Every operation runs the kernel model's own code: {@code kernel.Split},
 * {@code kernel.PageAttr} ({@code __change_memory_common}, {@code set_memory_valid},
 * {@code __kernel_map_pages}), {@code Kernel.setKernelPte}, {@code kernel.Collapse}'s
 * {@code try_collapse_kernel_pmd} and scanner, {@code kernel.Hotplug}, and the kernel's lazy MMU
 * state ({@code Kernel.lazy}), which those bracket their walks with. World writes no descriptor
 * of its own; the mutations are known-bad kernel variants the kernel boots with.
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
        // spec already carries the kernel variants of the mutations (ExploreScenario.bootMachine):
        // every mutation is a known-bad kernel variant, run by the kernel's own code
        this.mutations = mutations.isEmpty() ? EnumSet.noneOf(Mutation.class) : EnumSet.copyOf(mutations);
        this.k = Kernel.boot(spec.config(), spec.layout());
        this.pg = k.pg;
        this.geo = k.geo;
        this.lazy = k.lazy;
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

    // ------------------------------------------------------------------ the kernel's operations

    // Every operation below is the kernel model's own code; World adds only the scenario-level
    // names (and scheduling markers) around it. split_kernel_leaf_mapping and set_memory_valid
    // are the catalogue's calls (org.ptlab.ops.Ops) with nothing around them. The explorer's former mutants of these are
    // known-bad kernel variants now (split=no-lock, split=counter-outside-lock,
    // split=cont-one-entry, lazy=no-flush; see Mutation).

    /** {@code __kernel_map_pages(page, n, 1)} under DEBUG_PAGEALLOC: {@link org.ptlab.kernel.PageAttr#kernelMapPages}. */
    public void kernelMapPages(long va, int pages) {
        k.pageAttr.kernelMapPages(va, pages, true);
    }

    /** A PTE change inside a batch (zap/change loops): make a linear page read-only ({@link Kernel#setKernelPte}). */
    public void ptepSetRdonly(long va) {
        pg.op("ptep_set_rdonly", va, va + geo.pageSize, true);
        k.setKernelPte(va, Desc.RDONLY, Desc.WRITE);
        pg.op("ptep_set_rdonly", va, va + geo.pageSize, false);
    }

    /** A single {@code __set_pte()} making a PTE-mapped linear page valid (barriers queued, no section of its own). */
    public void setPteValid(long va) {
        pg.op("__set_pte", va, va + geo.pageSize, true);
        k.setKernelPte(va, k.pageAttr.validSetMask(), k.pageAttr.validClearMask());
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
            TableWalk.Entry e = new TableWalk.Entry();
            for (long a = r[0]; a != r[1]; a += geo.pageSize) {
                long d = TableWalk.peekLeaf(pg, k.swapper, a, e);
                if (!Desc.rdonly(d)) {
                    return String.format("set_memory_ro(0x%x) returned but 0x%x is mapped writable: %s %s (a lost update)",
                            r[0], a, geo.levelName(e.level), Desc.describe(e.level, d));
                }
            }
        }
        return null;
    }

    /**
     * Setup before the CPUs start: a freed page under DEBUG_PAGEALLOC, {@code __kernel_map_pages(page,
     * 1, 0)} ({@link org.ptlab.kernel.PageAttr#setMemoryValid} invalidating it, with its flush).
     */
    public void setupInvalidate(long va) {
        k.pageAttr.setMemoryValid(va, 1, false);
    }
}
