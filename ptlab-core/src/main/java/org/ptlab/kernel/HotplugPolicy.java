package org.ptlab.kernel;

/**
 * The {@code hotplug} family: the two release-dependent steps of memory hot-remove
 * (arch/arm64/mm/mmu.c, {@link Hotplug}): whether {@code prevent_bootmem_remove_notifier} refuses
 * to offline a range whose edges are not leaf boundaries of the linear map, and the TLB
 * maintenance of {@code unmap_hotplug_range}.
 */
public interface HotplugPolicy extends Variant {
    String FAMILY = "hotplug";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Whether offlining [vs, ve) of the linear map is refused because an edge would split a leaf or CONT group. */
    boolean refusesOffline(Hotplug h, long vs, long ve);

    /** After unmap_hotplug_range cleared the leaf at va (pte/pmd/pud_clear). */
    void leafCleared(Kernel k, long va);

    /** After unmap_hotplug_range cleared every leaf of [start, end), before free_empty_tables. */
    void rangeCleared(Kernel k, long start, long end);

    /** hotplug=v7.1 (default): the leaf-boundary guard; one range flush per removal. */
    final class V71 implements HotplugPolicy {
        @Override
        public String name() {
            return "v7.1";
        }

        @Override
        public String description() {
            return "memory offline refused when an edge of the block would split a linear-map leaf or CONT group (leaf-boundary guard); one range flush per removal";
        }

        @Override
        public boolean refusesOffline(Hotplug h, long vs, long ve) {
            return !h.isLeafBoundary(vs) || !h.isLeafBoundary(ve);
        }

        @Override
        public void leafCleared(Kernel k, long va) {
        }

        @Override
        public void rangeCleared(Kernel k, long start, long end) {
            k.tlb.flushTlbKernelRange(start, end);
        }
    }

    /** hotplug=pre-7.1: no guard; each cleared leaf flushed as it is cleared. */
    final class Pre71 implements HotplugPolicy {
        @Override
        public String name() {
            return "pre-7.1";
        }

        @Override
        public String description() {
            return "before v7.1: no leaf-boundary guard, blocks cleared whole even when only partly removed, every cleared leaf flushed at once";
        }

        @Override
        public boolean refusesOffline(Hotplug h, long vs, long ve) {
            return false;
        }

        @Override
        public void leafCleared(Kernel k, long va) {
            k.tlb.flushTlbKernelRange(va, va + k.geo.pageSize);
        }

        @Override
        public void rangeCleared(Kernel k, long start, long end) {
        }
    }
}
