package org.ptlab.pgtable;

/** Barriers the kernel issues around table writes and TLB maintenance. */
public enum Barrier {
    /** {@code dsb(ishst)}: earlier stores visible to the table walkers of the inner-shareable domain. */
    DSB_ISHST,
    /** {@code dsb(ish)}: completes earlier TLB maintenance in the inner-shareable domain. */
    DSB_ISH,
    /** {@code dsb(nsh)}: local completion. */
    DSB_NSH,
    /** {@code isb()}: context synchronisation; discards speculatively fetched translations. */
    ISB
}
