package org.ptlab.kernel;

/**
 * The kernel releases whose linear-map rules ptlab models. Each rule that differs is a method here,
 * with its source; docs/kernel-versions.md lists them side by side.
 */
public enum KernelVersion {
    /** Linux 6.1 (Debian 6.1.0-x; the oracle boots). */
    V6_1("6.1"),
    /** Linux 6.12. */
    V6_12("6.12"),
    /** Linux 7.2 (the newest; default). */
    V7_2("7.2");

    public final String label;

    KernelVersion(String label) {
        this.label = label;
    }

    public static final KernelVersion NEWEST = V7_2;

    public static KernelVersion parse(String s) {
        for (KernelVersion v : values()) {
            if (v.label.equals(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown kernel version '" + s + "': expected 6.1, 6.12 or 7.2");
    }

    /**
     * Whether {@code rodata=on} means full (7.x: "on" is full and the default, "noalias" is the old
     * "on", and "full" is rejected). In 6.x "full" is full and "on" only protects the image.
     */
    public boolean rodataOnIsFull() {
        return this == V7_2;
    }

    /**
     * Whether the block-mapped linear map with rodata=full exists when the CPUs have
     * BBML2_NOABORT (a166563e7ec3, v6.18).
     */
    public boolean hasBbml2BlockMapping() {
        return this == V7_2;
    }

    /**
     * Whether KFENCE can allocate its pool early (kfence.sample_interval != 0 at boot) and map only
     * the pool with pages (arm64_kfence_alloc_pool, v6.3). Before that, a kernel built with KFENCE
     * maps the whole linear map with pages.
     */
    public boolean hasEarlyKfencePool() {
        return this != V6_1;
    }

    /**
     * Whether the image alias honours forced PTE mapping: 7.2 maps [_stext, __init_begin) with
     * the linear map's flags plus NO_CONT_MAPPINGS; 6.1 and 6.12 with NO_CONT_MAPPINGS only, so a
     * PTE-mapped linear map still holds PMD blocks in the alias (observed on real boots).
     */
    public boolean aliasHonoursForcePte() {
        return this == V7_2;
    }

    /** Present-invalid encoding of invalidated kernel entries (7.0.1 fix). Before: only VALID cleared. */
    public boolean presentInvalidEncoding() {
        return this == V7_2;
    }

}
