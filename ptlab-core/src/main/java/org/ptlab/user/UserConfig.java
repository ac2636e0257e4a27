package org.ptlab.user;

/**
 * Configuration of the user address-space model: which huge PFNMAP variant runs and what the
 * architecture supports ({@code CONFIG_ARCH_SUPPORTS_PMD_PFNMAP}, and the PUD level, which seed
 * 004 leaves as a TODO and this model adds).
 */
public final class UserConfig {
    public PfnmapVariant variant = PfnmapVariant.defaultVariant();
    /** CONFIG_ARCH_SUPPORTS_PMD_PFNMAP: remap_pfn_range and faults may install PMD leaves. */
    public boolean pmdPfnmap = true;
    /**
     * PUD-level PFN maps (beyond seed 004): only where the granule has PUD blocks
     * ({@code pud_sect_supported()}, 4K).
     */
    public boolean pudPfnmap = true;

    public UserConfig copy() {
        UserConfig c = new UserConfig();
        c.variant = variant;
        c.pmdPfnmap = pmdPfnmap;
        c.pudPfnmap = pudPfnmap;
        return c;
    }

    @Override
    public String toString() {
        return "pfnmap=" + variant.label + (pmdPfnmap ? "" : ", no PMD pfnmap") + (pudPfnmap ? "" : ", no PUD pfnmap");
    }
}
