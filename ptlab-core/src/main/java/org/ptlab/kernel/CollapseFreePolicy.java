package org.ptlab.kernel;

/**
 * The {@code collapse-free} family: how a table-to-block collapse that frees the old table itself
 * ({@link Collapse#collapseTable} without a deferred list; the x86 behaviour frees after its own
 * flush_tlb_all) retires that table: the order of {@code __flush_tlb_kernel_pgtable} and the free.
 */
public interface CollapseFreePolicy extends Variant {
    String FAMILY = "collapse-free";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Retire the replaced table {@code table} whose entry mapped va: flush the walk caches and free it (through {@link Collapse#freeOldTable}). */
    void retire(Collapse c, long table, long va);

    /** collapse-free=flush-first (default). */
    final class FlushFirst implements CollapseFreePolicy {
        @Override
        public String name() {
            return "flush-first";
        }

        @Override
        public String description() {
            return "a table-to-block collapse invalidates the walk caches with __flush_tlb_kernel_pgtable (TLBI VAAE1IS; DSB ISH), then frees the old table (seed 001 as posted, order-aware, background)";
        }

        @Override
        public void retire(Collapse c, long table, long va) {
            c.kernel().tlb.flushTlbKernelPgtable(va);
            c.freeOldTable(table);
        }
    }

    /** collapse-free=free-before-flush: known bad. */
    final class FreeBeforeFlush implements CollapseFreePolicy {
        @Override
        public String name() {
            return "free-before-flush";
        }

        @Override
        public String description() {
            return "known bad: the collapse frees the old table before __flush_tlb_kernel_pgtable, so another CPU's walk cache may still point into the freed page (x86 is unaffected: it frees after flush_tlb_all)";
        }

        @Override
        public void retire(Collapse c, long table, long va) {
            c.freeOldTable(table); // a walk cache may still hold the table
            c.kernel().tlb.flushTlbKernelPgtable(va);
        }
    }
}
