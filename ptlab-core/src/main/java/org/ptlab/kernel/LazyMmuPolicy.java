package org.ptlab.kernel;

/**
 * The {@code lazy} family: what entering, leaving, pausing and resuming lazy MMU mode do to the
 * per-task state of {@link LazyMmu} (seed 002; reference section 5). {@code task} is the modelled
 * task (one per CPU). Implementations change the state only through LazyMmu's accessors and emit
 * deferred barriers only through {@link LazyMmu#flush()}.
 */
public interface LazyMmuPolicy extends Variant {
    String FAMILY = "lazy";

    @Override
    default String family() {
        return FAMILY;
    }

    /** {@code lazy_mmu_mode_enable()} / {@code arch_enter_lazy_mmu_mode()}. */
    void enter(LazyMmu m, int task);

    /** {@code lazy_mmu_mode_disable()} / {@code arch_leave_lazy_mmu_mode()}. */
    void leave(LazyMmu m, int task);

    /** {@code lazy_mmu_mode_pause()}: the arm64 variants simply leave the mode. */
    default void pause(LazyMmu m, int task) {
        m.flush();
        m.setTifLazy(task, false);
    }

    /** {@code lazy_mmu_mode_resume()}: nothing for the arm64 variants. */
    default void resume(LazyMmu m, int task) {
    }

    /** Whether {@code __kernel_map_pages} sets TIF_LAZY_MMU again when it was set before (Mike Rapoport's fix). */
    default boolean restoresAfterKernelMapPages() {
        return false;
    }

    /** Whether a flush emits the deferred {@code dsb ishst; isb} (false only for a known-bad behaviour). */
    default boolean emitsDeferredBarriers() {
        return true;
    }

    /** lazy=permissive: arm64 as in v6.16 after 1ef3095b1405. */
    class Permissive implements LazyMmuPolicy {
        @Override
        public String name() {
            return "permissive";
        }

        @Override
        public String description() {
            return "arm64 v6.16 (1ef3095b1405): nested enter tolerated, the first leave flushes and ends the batch";
        }

        @Override
        public void enter(LazyMmu m, int task) {
            m.setTifLazy(task, true);
        }

        @Override
        public void leave(LazyMmu m, int task) {
            m.flush();
            m.setTifLazy(task, false);
        }
    }

    /** lazy=no-nesting: the inner code opens no section of its own. */
    final class NoNesting implements LazyMmuPolicy {
        @Override
        public String name() {
            return "no-nesting";
        }

        @Override
        public String description() {
            return "seed 002 alternative: inner code opens no section, its writes stay deferred until the outer leave";
        }

        @Override
        public void enter(LazyMmu m, int task) {
            m.setEnableCount(task, m.enableCount(task) + 1);
            m.setTifLazy(task, true);
        }

        @Override
        public void leave(LazyMmu m, int task) {
            int n = m.enableCount(task);
            if (n == 0) {
                throw new KernelBug("arch_leave_lazy_mmu_mode without a matching enter on CPU" + task);
            }
            m.setEnableCount(task, n - 1);
            if (n == 1) {
                m.flush();
                m.setTifLazy(task, false);
            }
        }
    }

    /** lazy=save-restore: permissive, and __kernel_map_pages restores TIF_LAZY_MMU. */
    final class SaveRestore extends Permissive {
        @Override
        public String name() {
            return "save-restore";
        }

        @Override
        public String description() {
            return "seed 002 fix (Mike Rapoport): __kernel_map_pages re-sets TIF_LAZY_MMU after set_memory_valid";
        }

        @Override
        public boolean restoresAfterKernelMapPages() {
            return true;
        }
    }

    /** lazy=generic (default): upstream's counted API (include/linux/pgtable.h). */
    class Generic implements LazyMmuPolicy {
        @Override
        public String name() {
            return "generic";
        }

        @Override
        public String description() {
            return "upstream generic API: counted enable/pause, every disable flushes earlier writes";
        }

        @Override
        public void enter(LazyMmu m, int task) {
            if (m.pauseCount(task) == 0) {
                int n = m.enableCount(task);
                checkCount(n + 1, "enable_count");
                m.setEnableCount(task, n + 1);
                if (n == 0) {
                    m.setTifLazy(task, true); // arch_enter_lazy_mmu_mode()
                }
            }
        }

        @Override
        public void leave(LazyMmu m, int task) {
            if (m.pauseCount(task) != 0) {
                return;
            }
            int n = m.enableCount(task);
            if (n == 0) {
                throw new KernelBug("lazy_mmu_mode_disable without a matching enable on CPU" + task);
            }
            m.flush(); // arch_leave at depth 0, arch_flush otherwise: both make the writes effective
            m.setEnableCount(task, n - 1);
            if (n == 1) {
                m.setTifLazy(task, false);
            }
        }

        @Override
        public void pause(LazyMmu m, int task) {
            int p = m.pauseCount(task);
            checkCount(p + 1, "pause_count");
            m.setPauseCount(task, p + 1);
            if (p == 0 && m.enableCount(task) > 0) {
                m.flush();
                m.setTifLazy(task, false);
            }
        }

        @Override
        public void resume(LazyMmu m, int task) {
            int p = m.pauseCount(task);
            if (p == 0) {
                throw new KernelBug("lazy_mmu_mode_resume without pause on CPU" + task);
            }
            m.setPauseCount(task, p - 1);
            if (p == 1 && m.enableCount(task) > 0) {
                m.setTifLazy(task, true);
            }
        }

        private static void checkCount(int v, String what) {
            if (v > 255) {
                throw new KernelBug("lazy MMU " + what + " overflows u8");
            }
        }
    }

    /** lazy=no-flush: known bad, the explorer's former no-lazy-flush mutant. */
    final class NoFlush extends Generic {
        @Override
        public String name() {
            return "no-flush";
        }

        @Override
        public String description() {
            return "known bad: generic, but arch_flush_lazy_mmu_mode clears TIF_LAZY_MMU_PENDING without emitting dsb ishst; isb";
        }

        @Override
        public boolean emitsDeferredBarriers() {
            return false;
        }
    }
}
