package org.ptlab.pgtable;

/**
 * The kernel's TLB maintenance helpers (asm/tlbflush.h), expressed as the barrier and TLBI
 * sequences they issue through {@link Pgtable}, so that the hardware model sees exactly the
 * instructions.
 */
public final class TlbFlush {
    private final Pgtable pg;
    private final boolean tlbRange;
    private final int maxDvmOps;
    private final long pageSize;
    private final int pageShift;
    /** MAX_TLBI_RANGE_PAGES: __TLBI_RANGE_PAGES(31, 3) = 32 << 15 ... the kernel's bound. */
    public static final long MAX_TLBI_RANGE_PAGES = (31L + 1) << (5 * 3 + 1);

    /**
     * @param tlbRange whether the CPUs implement FEAT_TLBIRANGE
     */
    public TlbFlush(Pgtable pg, boolean tlbRange) {
        this.pg = pg;
        this.tlbRange = tlbRange;
        this.maxDvmOps = pg.geo.ptrsPerTable;
        this.pageSize = pg.geo.pageSize;
        this.pageShift = pg.geo.pageShift;
        this.lpa2 = pg.geo.vaBits == 52 && pg.geo.pageShift != 16;
    }

    /** FEAT_LPA2 in use (52-bit VA with 4K/16K pages): range TLBI base addresses are in 64K units. */
    private final boolean lpa2;

    /** {@code flush_tlb_all()}: dsb ishst; TLBI VMALLE1IS; dsb ish; isb. */
    public void flushTlbAll() {
        pg.dsbIshst();
        pg.tlbi(Tlbi.VMALLE1IS, 0, 0, -1);
        pg.dsbIsh();
        pg.isb();
    }

    /**
     * {@code flush_tlb_kernel_range(start, end)}: last-level invalidation by VA for every page, all
     * ASIDs, broadcast; falls back to {@link #flushTlbAll()} when the range is too large.
     */
    public void flushTlbKernelRange(long start, long end) {
        start &= -pageSize;
        end = (end + pageSize - 1) & -pageSize;
        long pages = (end - start) >>> pageShift;
        if (pages == 0) {
            return;
        }
        if ((!tlbRange && pages >= maxDvmOps) || pages > MAX_TLBI_RANGE_PAGES) {
            flushTlbAll();
            return;
        }
        pg.dsbIshst();
        if (tlbRange && pages > 1) {
            rangeOp(start, end);
        } else {
            for (long va = start; va != end; va += pageSize) {
                pg.tlbi(Tlbi.VAALE1IS, va, 1, -1);
            }
        }
        pg.dsbIsh();
        pg.isb();
    }

    /**
     * {@code __flush_tlb_range_op()} (arch/arm64/include/asm/tlbflush.h, 6.12 and 7.x): range TLBIs
     * by decreasing scale (3..0), each covering {@code (num + 1) << (5 * scale + 1)} pages, a last odd
     * page by a single-page TLBI; under LPA2 single-page TLBIs until the address is 64K aligned.
     */
    private void rangeOp(long start, long end) {
        long addr = start;
        int scale = 3;
        while (addr != end) {
            long pages = (end - addr) >>> pageShift;
            if (pages == 1 || (lpa2 && (addr & 0xffffL) != 0) || scale < 0) {
                pg.tlbi(Tlbi.VAALE1IS, addr, 1, -1);
                addr += pageSize;
                continue;
            }
            long num = (pages >>> (5 * scale + 1)) - 1;
            if (num >= 0) {
                long n = Math.min(num, 31);
                long covered = (n + 1) << (5 * scale + 1);
                pg.tlbi(Tlbi.RVAALE1IS, addr, covered, -1);
                addr += covered << pageShift;
            }
            scale--;
        }
    }

    /**
     * {@code __flush_tlb_kernel_pgtable(va)}: invalidate all levels (including walk caches) for one
     * VA, before a table page that mapped it is freed.
     */
    public void flushTlbKernelPgtable(long va) {
        pg.dsbIshst();
        pg.tlbi(Tlbi.VAAE1IS, va & -pageSize, 1, -1);
        pg.dsbIsh();
        pg.isb();
    }

    /** {@code flush_tlb_range} for a user mm: last-level by VA and ASID with a stride. */
    public void flushTlbRange(int asid, long start, long end, long stride, boolean lastLevel) {
        start &= -stride;
        end = (end + stride - 1) & -stride;
        long n = (end - start) / stride;
        if (n == 0) {
            return;
        }
        if ((!tlbRange && n >= maxDvmOps) || ((end - start) >>> pageShift) > MAX_TLBI_RANGE_PAGES) {
            flushTlbMm(asid);
            return;
        }
        pg.dsbIshst();
        Tlbi op = lastLevel ? Tlbi.VALE1IS : Tlbi.VAE1IS;
        for (long va = start; va != end; va += stride) {
            pg.tlbi(op, va, stride >>> pageShift, asid);
        }
        pg.dsbIsh();
    }

    /** {@code flush_tlb_mm}: every entry of an ASID. */
    public void flushTlbMm(int asid) {
        pg.dsbIshst();
        pg.tlbi(Tlbi.ASIDE1IS, 0, 0, asid);
        pg.dsbIsh();
    }
}
