package org.ptlab.oracle;

import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/**
 * The EL1&0 upper-half translation regime as the registers of a running CPU describe it
 * (Arm ARM D19.2 TCR_EL1, TTBR1_EL1, MAIR_EL1): granule (TG1), VA size (T1SZ), LPA2 descriptor
 * format (DS), shareability of table walks (SH1), and the memory attribute of each AttrIndx.
 */
public final class Regime {
    public final long ttbr1;
    public final long tcr;
    public final long mair;
    public final Granule granule;
    /** 64 - T1SZ: the VA bits the upper half translates. */
    public final int vaBits;
    /** TCR_EL1.DS: 52-bit output addresses, descriptor bits 9:8 hold OA[51:50] and not SH. */
    public final boolean ds;
    /** TCR_EL1.SH1 (walks and, with DS, every leaf): 3 = inner shareable. */
    public final int sh1;
    public final Geometry geo;

    public Regime(long ttbr1, long tcr, long mair) {
        this.ttbr1 = ttbr1;
        this.tcr = tcr;
        this.mair = mair;
        int tg1 = (int) ((tcr >>> 30) & 3);
        switch (tg1) {
            case 1: granule = Granule.G16K; break;
            case 2: granule = Granule.G4K; break;
            case 3: granule = Granule.G64K; break;
            default: throw new IllegalArgumentException(String.format("TCR_EL1 0x%x: reserved TG1 value 0", tcr));
        }
        int t1sz = (int) ((tcr >>> 16) & 0x3f);
        vaBits = 64 - t1sz;
        ds = ((tcr >>> 59) & 1) != 0;
        sh1 = (int) ((tcr >>> 28) & 3);
        geo = Geometry.of(granule, vaBits);
    }

    /** Physical address of the root table (TTBR1_EL1.BADDR; with DS, BADDR[51:48] sit in bits 5:2). */
    public long rootPa() {
        long pa = ttbr1 & 0x0000_ffff_ffff_ffc0L;
        if (ds || vaBits > 48) {
            pa |= ((ttbr1 >>> 2) & 0xfL) << 48;
        }
        return pa;
    }

    /**
     * The output address of a table, block or page descriptor: bits 47:PAGE_SHIFT, and with DS
     * (4K and 16K granules) OA[49:48] in bits 49:48 and OA[51:50] in bits 9:8.
     */
    public long oa(long d) {
        long pageMask = granule.pageSize() - 1;
        if (ds) {
            return (d & 0x0003_ffff_ffff_ffffL & ~pageMask) | ((d >>> 8) & 3L) << 50;
        }
        return d & 0x0000_ffff_ffff_ffffL & ~pageMask;
    }

    /** Whether a leaf is inner shareable: from its SH bits, or from TCR_EL1.SH1 under DS. */
    public boolean innerShareable(long d) {
        return ds ? sh1 == 3 : ((d >>> 8) & 3) == 3;
    }

    /** The memory type name of an AttrIndx as MAIR_EL1 defines it (the kernel's MAIR values). */
    public String memType(int attrIndx) {
        return memTypeOfAttr((int) ((mair >>> (8 * attrIndx)) & 0xff));
    }

    /** Name of a MAIR attribute byte: the encodings the kernel programs (asm/memory.h MAIR_ATTR_*). */
    public static String memTypeOfAttr(int attr) {
        switch (attr) {
            case 0xff: return "MEM/NORMAL";
            case 0xf0: return "MEM/NORMAL-TAGGED";
            case 0x44: return "MEM/NORMAL-NC";
            case 0x00: return "DEVICE/nGnRnE";
            case 0x04: return "DEVICE/nGnRE";
            default: return String.format("ATTR/0x%02x", attr);
        }
    }

    /** The linear map's VA window: [-(1 << vaBits), PAGE_END = -(1 << (min(vaBits, 48) - 1))). */
    public long linearStart() {
        return geo.pageOffset;
    }

    public long linearEnd() {
        return geo.pageEnd;
    }
}
