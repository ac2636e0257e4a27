package org.ptlab.kernel;

/**
 * The {@code collapse} family: when the kernel coalesces live mappings again, and what. The kernel
 * calls the selected policy at four points of its own code; a policy decides there and does the
 * work with {@link Collapse}'s primitives ({@link Collapse#collapseRange},
 * {@link Collapse#collapseTable}, {@link Collapse#foldCont}, {@link Collapse#tryCollapseKernelPmd},
 * {@link Collapse#entry}) under the locks it takes itself (usually
 * {@code k.pgtableSplitLock}). The built-in behaviours are in {@link CollapsePolicies}; a user's
 * own is a class implementing this interface listed in
 * {@code META-INF/services/org.ptlab.kernel.Variant} (docs/extending.md).
 */
public interface CollapsePolicy extends Variant {
    String FAMILY = "collapse";

    @Override
    default String family() {
        return FAMILY;
    }

    /**
     * Whether {@code set_memory_*} accept {@code VM_ALLOW_HUGE_VMAP} areas when BBML2_NOABORT lets
     * them split live (seed 001 RFC 2/6, which every collapse proposal builds on).
     */
    default boolean allowsHugeVmapAreas() {
        return true;
    }

    /**
     * Whether {@code update_range_prot} takes the per-region exclusion locks
     * ({@link Collapse#lockRegions}) and the background scanner ({@link Collapse#scan}) runs.
     */
    default boolean regionExclusion() {
        return false;
    }

    /** In {@code change_memory_common()}, after the rodata=full linear-alias loop changed the area's alias. */
    default void afterAliasLoop(Collapse c, VmStruct area, long set, long clear) {
    }

    /** At the end of a successful {@code change_memory_common()} on the area. */
    default void afterChange(Collapse c, VmStruct area) {
    }

    /** At the end of {@code vm_reset_perms()} in {@code vfree()}, before the pages are freed. */
    default void afterResetPerms(Collapse c, VmStruct area) {
    }

    /** At the end of a successful {@code set_memory_rox(addr, numpages)}; end = addr + numpages pages. */
    default void afterRox(Collapse c, long addr, long end) {
    }

    /**
     * One pass of a collapse daemon over up to {@code bytes} of the linear map ({@code all}: every
     * region, not only those changed since the last pass); called only when the linear map is
     * live-splittable. Returns the collapses made. {@link Collapse#scanRegions} is the loop a
     * scanner usually wants. Default: no daemon.
     */
    default int scan(Collapse c, long bytes, boolean all) {
        return 0;
    }

    /** Whether this policy has a daemon: workloads that simulate time then run {@link #scan} periodically. */
    default boolean hasDaemon() {
        return false;
    }
}
