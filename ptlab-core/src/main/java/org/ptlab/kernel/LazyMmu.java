package org.ptlab.kernel;

import org.ptlab.arch.Desc;
import org.ptlab.pgtable.Pgtable;

/**
 * Lazy MMU mode on arm64 (reference section 5; seed 002): {@code arch_enter_lazy_mmu_mode},
 * {@code arch_leave_lazy_mmu_mode}, {@code arch_flush_lazy_mmu_mode} and
 * {@code queue_pte_barriers()}, with the per-task flags {@code TIF_LAZY_MMU} and
 * {@code TIF_LAZY_MMU_PENDING}, and the generic counted API ({@code lazy_mmu_mode_enable/disable/
 * pause/resume}). After a kernel page-table write that makes or keeps an entry valid, the kernel
 * needs {@code dsb ishst; isb} before the walker of this (and another) CPU is guaranteed to see
 * it; inside an active lazy section those barriers are deferred (PENDING) until a flush.
 *
 * <p>It belongs to the booted kernel ({@link Kernel#lazy}); PageAttr ({@code update_range_prot}),
 * Split ({@code split_kernel_leaf_mapping}, {@code range_split_to_ptes}), Vmalloc (each PTE table
 * of a vmap/vunmap) and Collapse bracket their walks with {@link #enter}/{@link #leave} as upstream
 * does, and every kernel descriptor write goes through {@link #setEntry}/{@link #setRun}, so the
 * barriers are issued where upstream issues them and nowhere else.
 *
 * <p>The {@code lazy=} variant ({@link LazyMmuPolicy}, one class per behaviour) decides what nesting does:
 * <ul>
 *   <li>{@code permissive}: arm64 as in v6.16 after 1ef3095b1405: a nested enter is tolerated, the
 *       first leave flushes and ends the batch, the rest of the outer section runs unbatched;
 *   <li>{@code no-nesting}: the alternative in seed 002: the inner code opens no section of its
 *       own, so its writes stay deferred until the outermost leave;
 *   <li>{@code save-restore}: Mike Rapoport's fix in seed 002: permissive, and
 *       {@code __kernel_map_pages} sets TIF_LAZY_MMU again after {@code set_memory_valid} when it
 *       was set before, so the rest of the outer section stays batched;
 *   <li>{@code generic} (default): upstream's generic API: per-task enable/pause counts, every
 *       disable makes earlier writes effective (leave at depth 0, flush otherwise);
 *   <li>{@code no-flush}: known bad (the explorer's no-lazy-flush mutation): generic, but a flush
 *       clears PENDING without emitting the barriers.
 * </ul>
 * State is per modelled task; each modelled CPU runs one task, so it is indexed by
 * {@link Pgtable#cpu}. Interrupt context is not modelled (it never batches).
 */
public final class LazyMmu {
    public static final String FAMILY = LazyMmuPolicy.FAMILY;

    /** Tasks modelled when the kernel boots (modelled CPUs are numbered below this). */
    public static final int MAX_TASKS = 64;

    private final Pgtable pg;
    private final LazyMmuPolicy policy;
    private final boolean emits;
    private final int maxTasks;
    /** TIF_LAZY_MMU (arm64 variants) or "active" derived from the counts (generic). */
    private final boolean[] tifLazy;
    private final boolean[] tifPending;
    /** generic: enable_count; no-nesting: section depth. */
    private final int[] enableCount;
    private final int[] pauseCount;

    private long deferred;
    private long immediateBarriers;
    private long flushes;
    private long emptyFlushes;

    public LazyMmu(Pgtable pg, Variants variants, int tasks) {
        this.pg = pg;
        this.policy = variants.policy(LazyMmuPolicy.class, FAMILY);
        this.emits = policy.emitsDeferredBarriers();
        this.maxTasks = tasks;
        this.tifLazy = new boolean[tasks];
        this.tifPending = new boolean[tasks];
        this.enableCount = new int[tasks];
        this.pauseCount = new int[tasks];
    }

    public String variant() {
        return policy.name();
    }

    private int task() {
        int t = pg.cpu;
        if (t < 0 || t >= maxTasks) {
            throw new IllegalStateException("lazy MMU state for CPU" + t + " not modelled");
        }
        return t;
    }

    // ------------------------------------------------------------------ per-task state (for policies)

    public boolean tifLazy(int task) {
        return tifLazy[task];
    }

    public void setTifLazy(int task, boolean v) {
        tifLazy[task] = v;
    }

    public int enableCount(int task) {
        return enableCount[task];
    }

    public void setEnableCount(int task, int v) {
        enableCount[task] = v;
    }

    public int pauseCount(int task) {
        return pauseCount[task];
    }

    public void setPauseCount(int task, int v) {
        pauseCount[task] = v;
    }

    // ------------------------------------------------------------------ entry points

    /** {@code lazy_mmu_mode_enable()} / {@code arch_enter_lazy_mmu_mode()}. */
    public void enter() {
        int t = task();
        pg.op("lazy_mmu_mode_enable", 0, 0, true);
        policy.enter(this, t);
        pg.op("lazy_mmu_mode_enable", 0, 0, false);
    }

    /** {@code lazy_mmu_mode_disable()} / {@code arch_leave_lazy_mmu_mode()}. */
    public void leave() {
        int t = task();
        pg.op("lazy_mmu_mode_disable", 0, 0, true);
        policy.leave(this, t);
        pg.op("lazy_mmu_mode_disable", 0, 0, false);
    }

    /** {@code lazy_mmu_mode_pause()}. */
    public void pause() {
        policy.pause(this, task());
    }

    /** {@code lazy_mmu_mode_resume()}. */
    public void resume() {
        policy.resume(this, task());
    }

    /** {@code arch_flush_lazy_mmu_mode()}: emit the deferred barriers, if any. */
    public void flush() {
        int t = task();
        if (!tifPending[t]) {
            emptyFlushes++;
            return;
        }
        tifPending[t] = false;
        if (!emits) {
            return; // lazy=no-flush (known bad)
        }
        flushes++;
        pg.dsbIshst();
        pg.isb();
    }

    /** {@code is_lazy_mmu_mode_active()} for the current task. */
    public boolean active() {
        int t = task();
        return tifLazy[t] && pauseCount[t] == 0;
    }

    /** Whether the current task has deferred barriers (TIF_LAZY_MMU_PENDING). */
    public boolean pending() {
        return tifPending[task()];
    }

    /**
     * {@code queue_pte_barriers()}: after a valid kernel descriptor write, defer the barriers when
     * lazy, else emit them now.
     */
    public void queuePteBarriers() {
        int t = task();
        if (tifLazy[t] && pauseCount[t] == 0) {
            tifPending[t] = true;
            deferred++;
        } else {
            immediateBarriers++;
            pg.dsbIshst();
            pg.isb();
        }
    }

    /**
     * {@code __set_pte()} / {@code set_pmd()} of a kernel entry: the store, then
     * {@code queue_pte_barriers()} when the new entry is valid (user entries are not modelled).
     */
    public void setEntry(long table, int idx, long val) {
        pg.write(table, idx, val);
        if (Desc.valid(val)) {
            queuePteBarriers();
        }
    }

    /**
     * {@code set_pte_at()} of a run of fresh kernel entries (the {@code __set_pte} loop of
     * {@code split_pmd}/{@code split_pud}): one store each, and the barriers each valid entry
     * queues: deferred once inside a lazy section, else emitted per entry.
     */
    public void setRun(long table, int from, int count, long first, long step) {
        pg.writeRun(table, from, count, first, step);
        if (count <= 0 || !Desc.valid(first)) {
            return;
        }
        int t = task();
        if (tifLazy[t] && pauseCount[t] == 0) {
            tifPending[t] = true;
            deferred += count;
        } else {
            for (int i = 0; i < count; i++) {
                queuePteBarriers();
            }
        }
    }

    /**
     * {@code __kernel_map_pages(page, n, enable)} (DEBUG_PAGEALLOC): runs {@code setMemoryValid}
     * (which brackets itself with its own enter/leave); under a policy that restores it
     * (save-restore) TIF_LAZY_MMU is set again after when it was set before, so the caller's batch
     * continues.
     */
    public void kernelMapPages(Runnable setMemoryValid) {
        int t = task();
        boolean wasLazy = policy.restoresAfterKernelMapPages() && tifLazy[t];
        setMemoryValid.run();
        if (wasLazy) {
            tifLazy[t] = true;
        }
    }

    // ------------------------------------------------------------------ statistics

    /** Valid kernel writes whose barriers were deferred. */
    public long deferred() {
        return deferred;
    }

    /** dsb ishst; isb pairs emitted at once by queue_pte_barriers (outside a lazy section). */
    public long immediateBarriers() {
        return immediateBarriers;
    }

    /** Flushes that emitted the deferred barriers. */
    public long flushes() {
        return flushes;
    }

    /** Barrier pairs issued in total (immediate + flushes). */
    public long barrierPairs() {
        return immediateBarriers + flushes;
    }

    public long emptyFlushes() {
        return emptyFlushes;
    }
}
