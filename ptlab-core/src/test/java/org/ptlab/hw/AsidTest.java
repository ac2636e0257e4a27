package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.Tlbi;
import org.ptlab.run.Region;

/**
 * TLB entries below TTBR0 are tagged with the ASID current when they were filled: two address
 * spaces mapping the same VA differently coexist in one TLB, by-ASID TLBIs reach only their ASID,
 * and a user flush issued with the wrong ASID leaves a stale translation that the checker reports.
 */
class AsidTest {
    static final Geometry G = Geometry.of(Granule.G4K, 48);
    static final long VA = Region.DEFAULT_VA;
    static final long PA_A = Region.DEFAULT_PA;
    static final long PA_B = Region.DEFAULT_PA + (1L << 30);

    /** Two trees (mm A with ASID 5, mm B with ASID 9) mapping the same 2M of VA to different PAs. */
    private static Region[] twoMms(Pgtable pg) {
        Region a = Region.map(pg, 0, VA, PA_A, 2L << 20, MapSize.PTE);
        Region b = Region.map(pg, 0, VA, PA_B, 2L << 20, MapSize.PTE);
        return new Region[] {a, b};
    }

    @Test
    void twoAddressSpacesShareTheTlbWithoutFlushes() {
        Pgtable pg = new Pgtable(G, 64);
        Region[] mm = twoMms(pg);
        HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 1).attach();
        HwStats s = hw.cpu(0).stats;
        hw.switchMm(0, mm[0].root, 5);
        assertThat(hw.access(0, VA + 0x10, HwModel.LOAD)).isEqualTo(PA_A + 0x10);
        hw.switchMm(0, mm[1].root, 9);
        assertThat(hw.access(0, VA + 0x10, HwModel.LOAD)).as("B's own translation, not A's cached one").isEqualTo(PA_B + 0x10);
        assertThat(s.walks).isEqualTo(2);
        hw.switchMm(0, mm[0].root, 5);
        assertThat(hw.access(0, VA + 0x20, HwModel.LOAD)).isEqualTo(PA_A + 0x20);
        assertThat(s.walks).as("A's entry survived the switch").isEqualTo(2);
        assertThat(hw.cpu(0).tlbLive(0)).isEqualTo(2);
    }

    @Test
    void byAsidTlbisReachOnlyTheirAsidAndAllAsidFormsReachBoth() {
        Pgtable pg = new Pgtable(G, 64);
        Region[] mm = twoMms(pg);
        HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 2).attach();
        hw.switchMm(0, mm[0].root, 5);
        hw.switchMm(1, mm[1].root, 9);
        hw.access(0, VA, HwModel.LOAD);
        hw.access(1, VA, HwModel.LOAD);
        hw.switchMm(1, mm[0].root, 5);
        hw.access(1, VA, HwModel.LOAD);
        // CPU1 now holds VA under ASIDs 9 and 5; CPU0 under 5
        pg.cpu = 0;
        pg.tlbi(Tlbi.VALE1IS, VA, 1, 9);
        pg.dsbIsh();
        assertThat(hw.cpu(0).tlbLive(0)).isEqualTo(1);
        assertThat(hw.cpu(1).tlbLive(0)).as("only ASID 9's entry dropped").isEqualTo(1);
        hw.switchMm(1, mm[1].root, 9);
        long walks = hw.cpu(1).stats.walks;
        hw.access(1, VA, HwModel.LOAD);
        assertThat(hw.cpu(1).stats.walks).isEqualTo(walks + 1);

        pg.tlbi(Tlbi.ASIDE1IS, 0, 0, 5);
        pg.dsbIsh();
        assertThat(hw.cpu(0).tlbLive(0)).isZero();
        assertThat(hw.cpu(1).tlbLive(0)).as("ASID 9's entry stays").isEqualTo(1);

        pg.tlbi(Tlbi.VAALE1IS, VA, 1, -1);
        pg.dsbIsh();
        assertThat(hw.cpu(1).tlbLive(0)).isZero();
        assertThat(hw.cpu(1).tlbLive(1)).isZero();
    }

    @Test
    void aFlushWithTheWrongAsidIsAStaleTranslation() {
        for (int flushAsid : new int[] {9, 5}) {
            Pgtable pg = new Pgtable(G, 64);
            Region[] mm = twoMms(pg);
            HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 2).attach();
            hw.switchMm(0, mm[0].root, 5);
            hw.switchMm(1, mm[0].root, 5);
            hw.access(1, VA, HwModel.STORE);
            // mprotect(PROT_READ) of one page of mm A on CPU0, flushed with flushAsid
            pg.cpu = 0;
            pg.op("mprotect", VA, VA + 4096, true);
            long pte = leafTable(pg, mm[0].root);
            pg.write(pte, 0, pg.read(pte, 0) | Desc.RDONLY);
            pg.dsbIshst();
            pg.tlbi(Tlbi.VALE1IS, VA, 1, flushAsid);
            pg.dsbIsh();
            pg.op("mprotect", VA, VA + 4096, false);
            if (flushAsid == 9) {
                assertThat(hw.hazards()).hasSize(1);
                assertThat(hw.hazards().get(0).kind()).isEqualTo(Hazard.Kind.STALE_TRANSLATION);
                assertThat(hw.hazards().get(0).cpu()).isEqualTo(1);
                assertThat(hw.hazards().get(0).toString()).contains("stale writable translation");
                assertThat(hw.access(1, VA, HwModel.STORE)).as("CPU1 still stores through ASID 5's entry").isEqualTo(PA_A);
            } else {
                assertThat(hw.hazards()).isEmpty();
                assertThat(hw.access(1, VA, HwModel.STORE)).isEqualTo(-1);
            }
        }
    }

    @Test
    void asidsBeyondTheTagAreRefused() {
        Pgtable pg = new Pgtable(G, 64);
        HwModel hw = new HwModel(pg, Presets.get(Presets.DEFAULT), 1);
        assertThatThrownBy(() -> hw.switchMm(0, 0, XlatCache.MAX_ASID + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ASID");
    }

    /** The PTE table mapping VA in a tree. */
    private static long leafTable(Pgtable pg, long root) {
        long t = root;
        for (int level = G.startLevel; level < 3; level++) {
            t = pg.peek(t, G.index(level, VA)) & G.oaMask;
        }
        return t;
    }
}
