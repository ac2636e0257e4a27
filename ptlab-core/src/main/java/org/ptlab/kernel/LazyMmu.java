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
 * <p>The {@code lazy=} variant decides what nesting does:
 * <ul>
 *   <li>{@code permissive}: arm64 as in v6.16 after 1ef3095b1405: a nested enter is tolerated, the
 *       first leave flushes and ends the batch, the rest of the outer section runs unbatched;
 *   <li>{@code no-nesting}: the alternative in seed 002: the inner code opens no section of its
 *       own, so its writes stay deferred until the outermost leave;
 *   <li>{@code save-restore}: Mike Rapoport's fix in seed 002: permissive, and
 *       {@code __kernel_map_pages} sets TIF_LAZY_MMU again after {@code set_memory_valid} when it
 *       was set before, so the rest of the outer section stays batched;
 *   <li>{@code generic} (default): upstream's generic API: per-task enable/pause counts, every
 *       disable makes earlier writes effective (leave at depth 0, flush otherwise).
 * </ul>
 * State is per modelled task; each modelled CPU runs one task, so it is indexed by
 * {@link Pgtable#cpu}. Interrupt context is not modelled (it never batches).
 */
public final class LazyMmu {
    public static final String FAMILY = "lazy";

    static {
        Variants.register(FAMILY, "permissive", false,
                "arm64 v6.16 (1ef3095b1405): nested enter tolerated, the first leave flushes and ends the batch");
        Variants.register(FAMILY, "no-nesting", false,
                "seed 002 alternative: inner code opens no section, its writes stay deferred until the outer leave");
        Variants.register(FAMILY, "save-restore", false,
                "seed 002 fix (Mike Rapoport): __kernel_map_pages re-sets TIF_LAZY_MMU after set_memory_valid");
        Variants.register(FAMILY, "generic", true,
                "upstream generic API: counted enable/pause, every disable flushes earlier writes");
    }

    /** Make sure the variants are registered (class initialisation). */
    public static void registerVariants() {}

    private enum Kind { PERMISSIVE, NO_NESTING, SAVE_RESTORE, GENERIC }

    private final Pgtable pg;
    private final Kind kind;
    private final int maxTasks;
    /** TIF_LAZY_MMU (arm64 variants) or "active" derived from the counts (generic). */
    private final boolean[] tifLazy;
    private final boolean[] tifPending;
    /** generic: enable_count; no-nesting: section depth. */
    private final int[] enableCount;
    private final int[] pauseCount;
    private boolean omitFlush;

    private long deferred;
    private long immediateBarriers;
    private long flushes;
    private long emptyFlushes;

    public LazyMmu(Pgtable pg, Variants variants, int tasks) {
        this.pg = pg;
        String v = variants.get(FAMILY);
        this.kind = switch (v == null ? "generic" : v) {
            case "permissive" -> Kind.PERMISSIVE;
            case "no-nesting" -> Kind.NO_NESTING;
            case "save-restore" -> Kind.SAVE_RESTORE;
            default -> Kind.GENERIC;
        };
        this.maxTasks = tasks;
        this.tifLazy = new boolean[tasks];
        this.tifPending = new boolean[tasks];
        this.enableCount = new int[tasks];
        this.pauseCount = new int[tasks];
    }

    /** Mutation testing only: a leave/flush that forgets to emit the deferred barriers. */
    public void omitFlushForMutationTesting(boolean omit) {
        this.omitFlush = omit;
    }

    public String variant() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private int task() {
        int t = pg.cpu;
        if (t < 0 || t >= maxTasks) {
            throw new IllegalStateException("lazy MMU state for CPU" + t + " not modelled");
        }
        return t;
    }

    // ------------------------------------------------------------------ entry points

    /** {@code lazy_mmu_mode_enable()} / {@code arch_enter_lazy_mmu_mode()}. */
    public void enter() {
        int t = task();
        pg.op("lazy_mmu_mode_enable", 0, 0, true);
        switch (kind) {
            case PERMISSIVE, SAVE_RESTORE -> tifLazy[t] = true;
            case NO_NESTING -> {
                enableCount[t]++;
                tifLazy[t] = true;
            }
            case GENERIC -> {
                if (pauseCount[t] == 0) {
                    checkCount(enableCount[t] + 1, "enable_count");
                    if (enableCount[t]++ == 0) {
                        tifLazy[t] = true; // arch_enter_lazy_mmu_mode()
                    }
                }
            }
        }
        pg.op("lazy_mmu_mode_enable", 0, 0, false);
    }

    /** {@code lazy_mmu_mode_disable()} / {@code arch_leave_lazy_mmu_mode()}. */
    public void leave() {
        int t = task();
        pg.op("lazy_mmu_mode_disable", 0, 0, true);
        switch (kind) {
            case PERMISSIVE, SAVE_RESTORE -> {
                flush();
                tifLazy[t] = false;
            }
            case NO_NESTING -> {
                if (enableCount[t] == 0) {
                    throw new KernelBug("arch_leave_lazy_mmu_mode without a matching enter on CPU" + t);
                }
                if (--enableCount[t] == 0) {
                    flush();
                    tifLazy[t] = false;
                }
            }
            case GENERIC -> {
                if (pauseCount[t] == 0) {
                    if (enableCount[t] == 0) {
                        throw new KernelBug("lazy_mmu_mode_disable without a matching enable on CPU" + t);
                    }
                    flush(); // arch_leave at depth 0, arch_flush otherwise: both make the writes effective
                    if (--enableCount[t] == 0) {
                        tifLazy[t] = false;
                    }
                }
            }
        }
        pg.op("lazy_mmu_mode_disable", 0, 0, false);
    }

    /** {@code lazy_mmu_mode_pause()} (generic only; the arm64 variants leave the mode). */
    public void pause() {
        int t = task();
        if (kind != Kind.GENERIC) {
            flush();
            tifLazy[t] = false;
            return;
        }
        checkCount(pauseCount[t] + 1, "pause_count");
        if (pauseCount[t]++ == 0 && enableCount[t] > 0) {
            flush();
            tifLazy[t] = false;
        }
    }

    /** {@code lazy_mmu_mode_resume()}. */
    public void resume() {
        int t = task();
        if (kind != Kind.GENERIC) {
            return;
        }
        if (pauseCount[t] == 0) {
            throw new KernelBug("lazy_mmu_mode_resume without pause on CPU" + t);
        }
        if (--pauseCount[t] == 0 && enableCount[t] > 0) {
            tifLazy[t] = true;
        }
    }

    /** {@code arch_flush_lazy_mmu_mode()}: emit the deferred barriers, if any. */
    public void flush() {
        int t = task();
        if (!tifPending[t]) {
            emptyFlushes++;
            return;
        }
        tifPending[t] = false;
        if (omitFlush) {
            return;
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
     * {@code __kernel_map_pages(page, n, enable)} (DEBUG_PAGEALLOC): runs {@code setMemoryValid}
     * (which brackets itself with its own enter/leave); with {@code save-restore} it remembers
     * TIF_LAZY_MMU before and sets it again after, so the caller's batch continues.
     */
    public void kernelMapPages(Runnable setMemoryValid) {
        int t = task();
        boolean wasLazy = kind == Kind.SAVE_RESTORE && tifLazy[t];
        setMemoryValid.run();
        if (wasLazy) {
            tifLazy[t] = true;
        }
    }

    private static void checkCount(int v, String what) {
        if (v > 255) {
            throw new KernelBug("lazy MMU " + what + " overflows u8");
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
