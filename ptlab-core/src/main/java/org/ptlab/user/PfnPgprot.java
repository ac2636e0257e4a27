package org.ptlab.user;

import org.ptlab.arch.Desc;

/**
 * The arm64 huge-PFN helpers under the seed 004 v4 pgprot contract
 * ({@code pfn_pte}, {@code pfn_pmd}, {@code pfn_pud}, {@code pmd_pgprot}, {@code pud_pgprot},
 * {@code pte/pmd/pud_mkspecial}, {@code pmd_populate}): {@code pfn_pte()} never yields huge
 * attributes; {@code pfn_pmd()}/{@code pfn_pud()} build a leaf block from a base-PTE pgprot;
 * {@code pmd_pgprot()}/{@code pud_pgprot()} return a base-PTE pgprot, so rebuilding the PTEs of a
 * PMD is {@code pfn_pte(pmd_pfn(pmd) + i, pmd_pgprot(pmd))}. A pgprot here is every descriptor bit
 * but the output address.
 */
public final class PfnPgprot {
    private final int pageShift;
    private final long oaMask;
    /** The pre-v4 arm64 helpers: pfn_pte/pfn_pmd OR the prot in verbatim, pmd_pgprot keeps the type bits. */
    public final boolean legacy;

    public PfnPgprot(int pageShift, long oaMask, boolean legacy) {
        this.pageShift = pageShift;
        this.oaMask = oaMask;
        this.legacy = legacy;
    }

    /** {@code pfn_pte(pfn, prot)}: a page descriptor; v4 forces the page type bits (11). */
    public long pfnPte(long pfn, long prot) {
        long p = prot & ~Desc.OA_MASK;
        return (pfn << pageShift) | (legacy ? p : p | Desc.TABLE_BIT);
    }

    /**
     * {@code pfn_pmd(pfn, prot)} from a base-PTE pgprot: v4 makes a block (bit 1 clear, VALID
     * untouched); the legacy helper ORs the prot verbatim and relies on {@link #pmdMkhuge}.
     */
    public long pfnPmd(long pfn, long prot) {
        long p = prot & ~Desc.OA_MASK;
        return (pfn << pageShift) | (legacy ? p : Desc.mkSect(p));
    }

    /** {@code pmd_mkhuge()} / {@code pud_mkhuge()}: force the block type. */
    public long pmdMkhuge(long pmd) {
        return Desc.mkSect(pmd);
    }

    /** {@code pfn_pud(pfn, prot)}: as {@link #pfnPmd}. */
    public long pfnPud(long pfn, long prot) {
        return pfnPmd(pfn, prot);
    }

    /** {@code pmd_pgprot(pmd)}: v4 returns the base-PTE pgprot (page type restored); legacy every non-OA bit. */
    public long pmdPgprot(long pmd) {
        return legacy ? Desc.pgprot(pmd) : Desc.mkPageType(Desc.pgprot(pmd));
    }

    /** {@code pud_pgprot(pud)}. */
    public long pudPgprot(long pud) {
        return pmdPgprot(pud);
    }

    /** {@code pte_pfn}/{@code pmd_pfn}/{@code pud_pfn}. */
    public long pfn(long d) {
        return (d & oaMask) >>> pageShift;
    }

    /** {@code pte_mkspecial} / {@code pmd_mkspecial} / {@code pud_mkspecial}. */
    public static long mkSpecial(long d) {
        return d | Desc.SPECIAL;
    }

    public static boolean special(long d) {
        return (d & Desc.SPECIAL) != 0;
    }

    /**
     * {@code pmd_populate()} / {@code pud_populate()} for a user table: TYPE_TABLE, TABLE_AF and
     * PXNTable (user tables are never privileged-executable; EL0 execution stays allowed).
     */
    public static long userTableDesc(long tablePa) {
        return Desc.userTableDesc(tablePa);
    }

    /** {@code pmdp_invalidate()}: clear VALID, set the present-invalid marker; the entry stays present. */
    public static long mkInvalid(long d) {
        return (d & ~Desc.VALID) | Desc.PRESENT_INVALID;
    }
}
