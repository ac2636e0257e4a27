package org.ptlab.arch;

/**
 * The five kinds of leaf mapping the arm64 linear map can use, in increasing size: the buckets of
 * the DirectMap accounting (PTE, CONT_PTE, PMD, CONT_PMD, PUD). A leaf's bucket follows from its
 * level and its own Contiguous bit.
 */
public enum MapSize {
    PTE, CONT_PTE, PMD, CONT_PMD, PUD;

    public static final MapSize[] VALUES = values();

    /** The bucket of a leaf at a hardware level with or without the Contiguous bit. */
    public static MapSize of(int level, boolean cont) {
        switch (level) {
            case 3: return cont ? CONT_PTE : PTE;
            case 2: return cont ? CONT_PMD : PMD;
            case 1: return PUD;
            default: throw new IllegalArgumentException("no kernel leaf at level " + level);
        }
    }

    /** Hardware level of entries of this kind. */
    public int level() {
        switch (this) {
            case PTE: case CONT_PTE: return 3;
            case PMD: case CONT_PMD: return 2;
            default: return 1;
        }
    }

    public boolean cont() {
        return this == CONT_PTE || this == CONT_PMD;
    }
}
