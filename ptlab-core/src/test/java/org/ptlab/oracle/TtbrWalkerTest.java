package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The descriptor decoding on synthetic table images in a byte array, walked to a known ptdump. */
class TtbrWalkerTest {
    static final long BASE = 0x4000_0000L;
    // kernel-like attribute bits: AF, SH inner, PXN, UXN, DBM (PAGE_KERNEL), AttrIndx 0
    static final long KERNEL = 1L << 10 | 3L << 8 | 1L << 53 | 1L << 54 | 1L << 51;
    static final long RO = (KERNEL & ~(1L << 51)) | 1L << 7;

    /** A 4K, 48-bit image: root, one PUD table, one PMD table, one PTE table. */
    @Test
    void fourLevels4k() {
        ByteBuffer m = ByteBuffer.allocate(0x10000).order(ByteOrder.LITTLE_ENDIAN);
        long root = BASE;
        long pud = BASE + 0x1000;
        long pmd = BASE + 0x2000;
        long pte = BASE + 0x3000;
        // PAGE_OFFSET of 48-bit VA is index 0 of the root (0xffff000000000000 >> 39 & 511 = 0)
        put(m, root, 0, pud | 3);
        put(m, pud, 0, pmd | 3);                                 // first GiB through a PMD table
        put(m, pud, 1, 0x8000_0000L | KERNEL | 1);               // 1G PUD block
        put(m, pmd, 0, pte | 3);                                 // first 2M through a PTE table
        for (int i = 1; i < 17; i++) {
            put(m, pmd, i, 0x4000_0000L + (i << 21) | KERNEL | 1L << 52 | 1); // CONT PMD blocks (16 x 2M)
        }
        put(m, pmd, 17, 0x4000_0000L + (17L << 21) | RO | 1);     // a read-only 2M block
        for (int i = 0; i < 16; i++) {
            put(m, pte, i, 0x4000_0000L + (i << 12) | KERNEL | 1L << 52 | 3); // 64K contPTE
        }
        put(m, pte, 16, 0x4001_0000L | KERNEL | 2);               // invalid (VALID clear), kept visible
        for (int i = 17; i < 512; i++) {
            put(m, pte, i, 0x4000_0000L + ((long) i << 12) | KERNEL | 3);
        }
        // TCR_EL1: TG1=4K (0b10), T1SZ=16, SH1 inner; MAIR attr0 = 0xff (Normal)
        Regime r = new Regime(root, 2L << 30 | 3L << 28 | 16L << 16, 0x0000_0004_0044_ffffL);
        LinearMap lm = TtbrWalker.walk(new TableImage.Bytes(m.array(), BASE), r);
        assertThat(lm.text()).isEqualTo(String.join("\n",
                "---[ Linear Mapping start ]---",
                "0xffff000000000000-0xffff000000010000       64K PTE RW     NX SHD AF    CON     UXN DBM MEM/NORMAL  pa=0x40000000",
                "0xffff000000010000-0xffff000000011000        4K PTE RW     NX SHD AF            UXN DBM MEM/NORMAL  pa=0x40010000 INVALID",
                "0xffff000000011000-0xffff000000200000     1980K PTE RW     NX SHD AF            UXN DBM MEM/NORMAL  pa=0x40011000",
                "0xffff000000200000-0xffff000002200000       32M PMD RW     NX SHD AF    CON BLK UXN DBM MEM/NORMAL  pa=0x40200000",
                "0xffff000002200000-0xffff000002400000        2M PMD ro     NX SHD AF        BLK UXN     MEM/NORMAL  pa=0x42200000",
                "0xffff000040000000-0xffff000080000000        1G PUD RW     NX SHD AF        BLK UXN DBM MEM/NORMAL  pa=0x80000000",
                "---[ Linear Mapping end ]---", ""));
        assertThat(lm.decomposition().text()).isEqualTo(String.join("\n",
                "LINEAR_TOTAL_MAPPED 1111486464 bytes (1085436 KiB) in 529 leaf descriptors",
                "LINEAR_1G 1 pieces = 1024 MiB",
                "LINEAR_32M 1 pieces = 32 MiB",
                "LINEAR_2M 1 pieces = 2 MiB",
                "LINEAR_64K 1 pieces = 64 KiB",
                "LINEAR_4K 495 pieces = 1980 KiB",
                "LINEAR_TABLE_PAGES PUD=1 PMD=1 PTE=1",
                "LINEAR_INVALID 1 leaf descriptors", ""));
        // the text reads back to the same runs
        assertThat(LinearMap.parse(lm.text(), "t", r.geo)).isEqualTo(lm);
    }

    /** 16K pages with LPA2 (TCR_EL1.DS): OA[51:50] in bits 9:8, shareability from TCR_EL1.SH1. */
    @Test
    void lpa2OutputAddress16k() {
        ByteBuffer m = ByteBuffer.allocate(0x10000).order(ByteOrder.LITTLE_ENDIAN);
        long root = BASE;
        long pmd = BASE + 0x4000;
        // 16K, 52-bit: 4 levels, root at level 0 (32 entries of 128T); PAGE_OFFSET = -(1 << 52), index 0
        put(m, root, 0, 0x4000_0000L + 0x8000 | 3); // -> PUD table at +0x8000
        put(m, BASE + 0x8000, 0, pmd | 3);
        long blk = 0x0000_0000_0200_0000L;         // 32M PMD block at PA 0x000c000002000000 (bits 51:50 = 3)
        put(m, pmd, 0, blk | 3L << 8 | 1L << 10 | 1L << 53 | 1L << 54 | 1);
        Regime r = new Regime(root, 1L << 30 | 3L << 28 | 12L << 16 | 1L << 59, 0xffL);
        assertThat(r.geo.levels).isEqualTo(4);
        LinearMap lm = TtbrWalker.walk(new TableImage.Bytes(m.array(), BASE), r);
        assertThat(lm.runs()).hasSize(1);
        assertThat(lm.runs().get(0).pa()).isEqualTo(0x000c_0000_0200_0000L);
        assertThat(lm.text()).contains("0xfff0000000000000-0xfff0000002000000       32M PMD RW     NX SHD AF        BLK UXN     MEM/NORMAL  pa=0xc000002000000");
        assertThat(lm.decomposition().text()).contains("LINEAR_32M 1 pieces", "LINEAR_TABLE_PAGES PUD=1 PMD=1 PTE=0");
    }

    @Test
    void tcrDecoding() {
        Regime r = new Regime(0x22000041f16000L, 0x500074b5503510L, 0x40044ffffL);
        assertThat(r.granule.label).isEqualTo("4K");
        assertThat(r.vaBits).isEqualTo(48);
        assertThat(r.ds).isFalse();
        assertThat(r.rootPa()).isEqualTo(0x41f16000L);
        assertThat(r.memType(0)).isEqualTo("MEM/NORMAL");
        assertThat(r.memType(3)).isEqualTo("DEVICE/nGnRnE");
    }

    static void put(ByteBuffer m, long table, int idx, long d) {
        m.putLong((int) (table - BASE) + 8 * idx, d);
    }
}
