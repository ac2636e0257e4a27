package org.ptlab.pgtable;

/**
 * TLB invalidation instructions (Arm ARM C5.5). "IS" forms are broadcast to every CPU in the
 * inner-shareable domain, the others act on the issuing CPU only. "L" forms invalidate last-level
 * (leaf) entries only; the others also invalidate cached intermediate (walk-cache) entries.
 */
public enum Tlbi {
    /** By VA, all ASIDs, last level, broadcast: flush_tlb_kernel_range. */
    VAALE1IS(true, true, false, true),
    /** By VA, all ASIDs, all levels, broadcast: __flush_tlb_kernel_pgtable. */
    VAAE1IS(true, false, false, true),
    /** By VA and ASID, last level, broadcast: user range flushes. */
    VALE1IS(true, true, true, false),
    /** By VA and ASID, all levels, broadcast. */
    VAE1IS(true, false, true, false),
    /** Range form of VAALE1IS (FEAT_TLBIRANGE). */
    RVAALE1IS(true, true, false, true),
    /** Range form of VALE1IS. */
    RVALE1IS(true, true, true, false),
    /** Everything at EL1, broadcast: flush_tlb_all. */
    VMALLE1IS(true, false, false, false),
    /** All entries of one ASID, broadcast: flush_tlb_mm. */
    ASIDE1IS(true, false, true, false),
    /** Local forms. */
    VAALE1(false, true, false, true),
    VAAE1(false, false, false, true),
    VMALLE1(false, false, false, false);

    public final boolean broadcast;
    public final boolean lastLevel;
    public final boolean byAsid;
    public final boolean allAsids;

    Tlbi(boolean broadcast, boolean lastLevel, boolean byAsid, boolean allAsids) {
        this.broadcast = broadcast;
        this.lastLevel = lastLevel;
        this.byAsid = byAsid;
        this.allAsids = allAsids;
    }

    /** Whether the instruction targets VAs (as opposed to everything or an ASID). */
    public boolean byVa() {
        return this != VMALLE1IS && this != ASIDE1IS && this != VMALLE1;
    }
}
