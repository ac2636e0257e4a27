package org.ptlab.kernel;

/**
 * The {@code execmem} family: whether the kernel has seed 001's execmem ROX cache (RFC 1-5/6),
 * which decides whether {@code change_memory_common()} accepts {@code VM_ALLOW_HUGE_VMAP} areas
 * (arch/arm64/mm/pageattr.c). Every collapse behaviour but {@code collapse=none} models the same
 * series and allows them too ({@link CollapsePolicy#allowsHugeVmapAreas()}).
 */
public interface ExecmemPolicy extends Variant {
    String FAMILY = "execmem";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Whether change_memory_common accepts a VM_ALLOW_HUGE_VMAP area when BBML2_NOABORT lets it split live. */
    boolean allowsHugeVmapAreas();

    /** execmem=none (default): upstream arm64. */
    final class None implements ExecmemPolicy {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public String description() {
            return "upstream arm64: no EXECMEM_ROX_CACHE; set_memory_* refuse VM_ALLOW_HUGE_VMAP areas (-EINVAL)";
        }

        @Override
        public boolean allowsHugeVmapAreas() {
            return false;
        }
    }

    /** execmem=rox-cache: seed 001 RFC 1-5/6. */
    final class RoxCache implements ExecmemPolicy {
        @Override
        public String name() {
            return "rox-cache";
        }

        @Override
        public String description() {
            return "seed 001 RFC 1-5/6: the execmem ROX cache; set_memory_* accept VM_ALLOW_HUGE_VMAP areas when BBML2_NOABORT lets them split live";
        }

        @Override
        public boolean allowsHugeVmapAreas() {
            return true;
        }
    }
}
