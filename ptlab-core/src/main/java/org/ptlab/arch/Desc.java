package org.ptlab.arch;

/**
 * VMSAv8-64 stage 1 descriptors as primitive {@code long}s, with the bit names of
 * asm/pgtable-hwdef.h and asm/pgtable-prot.h and the predicates of asm/pgtable.h.
 *
 * <p>Encoding: bit 0 VALID; bit 1 type (levels 0-2: 1 table, 0 block; level 3: must be 1, page);
 * 4:2 AttrIndx; 6 AP[1] (user); 7 AP[2] (read-only); 9:8 SH; 10 AF; 11 nG (with VALID clear, the
 * present-invalid marker); 47:PAGE_SHIFT output address; 50 GP; 51 DBM (Linux "write"); 52
 * Contiguous; 53 PXN; 54 UXN; 55-58 software bits (55 DIRTY, 56 SPECIAL); table descriptors carry
 * PXNTable (59), UXNTable (60) and APTable (62:61). Physical addresses are modelled up to 48 bits.
 */
public final class Desc {
    private Desc() {}

    public static final long VALID = 1L << 0;
    public static final long TABLE_BIT = 1L << 1;
    /** PMD_TYPE_TABLE / PTE_TYPE_PAGE (bits 1:0 = 11). */
    public static final long TYPE_TABLE = 3L;
    public static final long TYPE_PAGE = 3L;
    /** PMD_TYPE_SECT (bits 1:0 = 01). */
    public static final long TYPE_SECT = 1L;
    public static final long TYPE_MASK = 3L;
    public static final int ATTRINDX_SHIFT = 2;
    public static final long ATTRINDX_MASK = 7L << ATTRINDX_SHIFT;
    public static final long USER = 1L << 6;
    public static final long RDONLY = 1L << 7;
    public static final long SHARED = 3L << 8;
    public static final long AF = 1L << 10;
    public static final long NG = 1L << 11;
    /** Marker of a present but hardware-invalid kernel entry (nG with VALID clear). */
    public static final long PRESENT_INVALID = NG;
    public static final long GP = 1L << 50;
    public static final long DBM = 1L << 51;
    /** Linux's PTE_WRITE is the DBM bit. */
    public static final long WRITE = DBM;
    public static final long CONT = 1L << 52;
    public static final long PXN = 1L << 53;
    public static final long UXN = 1L << 54;
    public static final long DIRTY = 1L << 55;
    public static final long SPECIAL = 1L << 56;
    public static final long SWBITS_MASK = 0xfL << 55 | 1L << 63;
    public static final long TABLE_PXN = 1L << 59;
    public static final long TABLE_UXN = 1L << 60;
    public static final long TABLE_AF = 1L << 10;
    /** Output address bits 47:12; granule code masks the low bits further. */
    public static final long OA_MASK = 0x0000_ffff_ffff_f000L;

    /** MAIR indices (asm/memory.h). */
    public static final int MT_NORMAL = 0;
    public static final int MT_NORMAL_TAGGED = 1;
    public static final int MT_NORMAL_NC = 2;
    public static final int MT_DEVICE_nGnRnE = 3;
    public static final int MT_DEVICE_nGnRE = 4;

    public static long attrIndx(int mt) {
        return ((long) mt << ATTRINDX_SHIFT) & ATTRINDX_MASK;
    }

    public static int memType(long d) {
        return (int) ((d & ATTRINDX_MASK) >>> ATTRINDX_SHIFT);
    }

    /** _PROT_DEFAULT: page type, AF, inner shareable. PTE_MAYBE_NG is added by {@link #protNormal}. */
    public static final long PROT_DEFAULT = TYPE_PAGE | AF | SHARED;

    /** PROT_NORMAL with or without nG (arm64_use_ng_mappings, i.e. KPTI). */
    public static long protNormal(boolean ng) {
        return PROT_DEFAULT | (ng ? NG : 0) | PXN | UXN | WRITE | attrIndx(MT_NORMAL);
    }

    /** PAGE_KERNEL. */
    public static long pageKernel(boolean ng) {
        return protNormal(ng);
    }

    /** PAGE_KERNEL_RO. */
    public static long pageKernelRo(boolean ng) {
        return (protNormal(ng) & ~WRITE) | RDONLY;
    }

    /** PAGE_KERNEL_ROX. */
    public static long pageKernelRox(boolean ng) {
        return (protNormal(ng) & ~(WRITE | PXN)) | RDONLY;
    }

    /** PAGE_KERNEL_EXEC. */
    public static long pageKernelExec(boolean ng) {
        return protNormal(ng) & ~PXN;
    }

    /** pgprot_tagged(): memory type NORMAL_TAGGED (the linear map's memory, for MTE). */
    public static long pgprotTagged(long prot) {
        return (prot & ~ATTRINDX_MASK) | attrIndx(MT_NORMAL_TAGGED);
    }

    // ---- predicates (asm/pgtable.h) ----

    public static boolean none(long d) {
        return d == 0;
    }

    public static boolean valid(long d) {
        return (d & VALID) != 0;
    }

    /** pte_present(): valid, or present-invalid (nG marker with VALID clear). */
    public static boolean present(long d) {
        return (d & VALID) != 0 || (d & PRESENT_INVALID) != 0;
    }

    /** pmd_table(): bits[1:0] == 11 at levels 0-2. */
    public static boolean isTable(long d) {
        return (d & TYPE_MASK) == TYPE_TABLE;
    }

    /** pmd_sect(): a valid block (bits[1:0] == 01). */
    public static boolean isSect(long d) {
        return (d & TYPE_MASK) == TYPE_SECT;
    }

    /**
     * A leaf entry at a level: level 3 any non-none entry; levels 0-2 a non-none entry that is not
     * a valid table descriptor (valid or invalid blocks, present-invalid blocks).
     */
    public static boolean isLeaf(int level, long d) {
        if (d == 0) {
            return false;
        }
        return level == 3 || (d & TYPE_MASK) != TYPE_TABLE;
    }

    public static boolean cont(long d) {
        return (d & CONT) != 0;
    }

    public static boolean rdonly(long d) {
        return (d & RDONLY) != 0;
    }

    /** Writable kernel mapping: WRITE set and RDONLY clear. */
    public static boolean writable(long d) {
        return (d & RDONLY) == 0;
    }

    /** Output address of a descriptor, for a granule's page size. */
    public static long oa(long d, long pageMask) {
        return d & OA_MASK & ~pageMask;
    }

    /** Everything but the output address ({@code pte_pgprot}). */
    public static long pgprot(long d) {
        return d & ~OA_MASK;
    }

    /** pmd_mkhuge / mk_pmd_sect_prot: force the block type (bit 1 clear) without touching VALID. */
    public static long mkSect(long prot) {
        return prot & ~TABLE_BIT;
    }

    /** The page type (bits 1:0 = 11) with VALID preserved: a block's prot as a PTE prot. */
    public static long mkPageType(long prot) {
        return prot | TABLE_BIT;
    }

    /**
     * A user table descriptor ({@code __pmd_populate(..., PMD_TABLE_PXN)} for user page tables): the
     * kernel may never execute below it; EL0 execution is left to the leaves.
     */
    public static long userTableDesc(long tablePa) {
        return tablePa | TYPE_TABLE | TABLE_AF | TABLE_PXN;
    }

    /** A kernel table descriptor pointing to a table page (UXNTable always; PXNTable if pxn). */
    public static long tableDesc(long tablePa, boolean pxn) {
        return tablePa | TYPE_TABLE | TABLE_UXN | TABLE_AF | (pxn ? TABLE_PXN : 0);
    }

    /**
     * {@code pgattr_change_is_safe(old, new)}: whether a live kernel entry may be rewritten in place.
     * Allowed iff either side is invalid (not valid), or same OA, neither side CONT, not nG to G, and
     * the XOR touches only PXN, RDONLY, WRITE, nG, software bits, plus AttrIndx between NORMAL and
     * NORMAL_TAGGED.
     */
    public static boolean pgattrChangeIsSafe(long old, long nu) {
        return pgattrChangeIsSafe(old, nu, true);
    }

    /**
     * pgattr_change_is_safe() of a release: 6.1's refuses any live change touching a CONT entry
     * ("live contiguous mappings may not be manipulated at all"); from 6.12 that test is gone
     * (6.12/7.2 arch/arm64/mm/mmu.c) and a CONT entry may change its permissions in place.
     */
    public static boolean pgattrChangeIsSafe(long old, long nu, boolean contForbidden) {
        if (!valid(old) || !valid(nu)) {
            return true;
        }
        long mask = PXN | RDONLY | WRITE | NG | SWBITS_MASK;
        int mo = memType(old);
        int mn = memType(nu);
        if ((mo == MT_NORMAL || mo == MT_NORMAL_TAGGED) && (mn == MT_NORMAL || mn == MT_NORMAL_TAGGED)) {
            mask |= ATTRINDX_MASK;
        }
        if (contForbidden && (cont(old) || cont(nu))) {
            return false;
        }
        if ((old & NG) != 0 && (nu & NG) == 0) {
            return false;
        }
        return ((old ^ nu) & ~mask) == 0;
    }

    /** A short human decoding, for traces and error messages. */
    public static String describe(int level, long d) {
        if (d == 0) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format("0x%016x", d));
        if (level < 3 && isTable(d)) {
            b.append(" table->0x").append(Long.toHexString(d & OA_MASK));
            return b.toString();
        }
        b.append(level == 3 ? " page" : " block").append(" oa=0x").append(Long.toHexString(d & OA_MASK));
        if (!valid(d)) {
            b.append((d & PRESENT_INVALID) != 0 ? " present-invalid" : " invalid");
        }
        b.append(rdonly(d) ? " ro" : " RW");
        b.append((d & PXN) != 0 ? " NX" : " x");
        if (cont(d)) {
            b.append(" CONT");
        }
        return b.toString();
    }
}
