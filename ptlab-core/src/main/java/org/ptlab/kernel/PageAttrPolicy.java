package org.ptlab.kernel;

/**
 * The {@code pageattr} family: what {@code __change_memory_common()} does after
 * {@code update_range_prot()} has rewritten the range (arch/arm64/mm/pageattr.c).
 */
public interface PageAttrPolicy extends Variant {
    String FAMILY = "pageattr";

    @Override
    default String family() {
        return FAMILY;
    }

    /**
     * The TLB maintenance after the update of [start, end) (done even when the update failed);
     * {@code onlyMakesValid}: the change is exactly present-invalid to valid.
     */
    void afterUpdate(Kernel k, long start, long end, boolean onlyMakesValid);

    /** pageattr=upstream (default): flush_tlb_kernel_range unless the change only makes entries valid. */
    final class Upstream implements PageAttrPolicy {
        @Override
        public String name() {
            return "upstream";
        }

        @Override
        public String description() {
            return "__change_memory_common flushes the changed range with flush_tlb_kernel_range after update_range_prot (except when it only makes entries valid)";
        }

        @Override
        public void afterUpdate(Kernel k, long start, long end, boolean onlyMakesValid) {
            if (!onlyMakesValid) {
                k.tlb.flushTlbKernelRange(start, end);
            }
        }
    }

    /** pageattr=no-flush: known bad. */
    final class NoFlush implements PageAttrPolicy {
        @Override
        public String name() {
            return "no-flush";
        }

        @Override
        public String description() {
            return "known bad: __change_memory_common writes the new attributes but skips flush_tlb_kernel_range, so other CPUs keep the old, more permissive translations";
        }

        @Override
        public void afterUpdate(Kernel k, long start, long end, boolean onlyMakesValid) {
        }
    }
}
