package org.ptlab.user;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The variants of the huge PFNMAP series (seed 004) the user model can run, selected as
 * {@code pfnmap=NAME}. The user package has its own selection (it does not know the kernel
 * package); org.ptlab.check registers these names in the shared variant list.
 */
public enum PfnmapVariant {
    /** The v4 series: deposits for every remap_pfn_range PMD/PUD leaf, also in the child at fork. */
    SEED004_V4("seed004-v4", true,
            "seed 004 v4: remap_pfn_range makes PMD (and PUD) leaves only in VMAs without a fault handler, deposits a table "
                    + "for each, and copy_huge_pmd() deposits one for the child at fork"),
    /** v2: fork copies special PMDs into the child without depositing a table (the syzbot bug). */
    SEED004_V2("seed004-v2", false,
            "seed 004 v2: copy_huge_pmd() copies a special PMD into the child without depositing a page table "
                    + "(the syzbot crash fixed in v3): a split or teardown in the child finds no deposit"),
    /** v4's split code over the pre-v4 arm64 helpers: the pgprot contract broken. */
    SEED004_V4_OLDPROT("seed004-v4-oldprot", false,
            "seed 004 v4 split code over the pre-v4 arm64 helpers: pmd_pgprot() keeps the block type bits and pfn_pte() ORs "
                    + "them in, so a split writes PTEs with the reserved type 01 (the contract v4 introduces prevents this)");

    public final String label;
    public final boolean isDefault;
    public final String description;

    PfnmapVariant(String label, boolean isDefault, String description) {
        this.label = label;
        this.isDefault = isDefault;
        this.description = description;
    }

    /** Family name under which the variants are listed. */
    public static final String FAMILY = "pfnmap";

    public static PfnmapVariant parse(String s) {
        for (PfnmapVariant v : values()) {
            if (v.label.equals(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown pfnmap variant '" + s + "': expected one of "
                + Arrays.stream(values()).map(v -> v.label).collect(Collectors.joining(", ")));
    }

    public static PfnmapVariant defaultVariant() {
        return SEED004_V4;
    }
}
