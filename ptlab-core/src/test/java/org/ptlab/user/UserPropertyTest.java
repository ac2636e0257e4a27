package org.ptlab.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;

/**
 * Random sequences of mmap / remap_pfn_range / mprotect / munmap / fork / fault / exit, with
 * injected allocation failures, keep every user invariant (deposits equal the PMD/PUD leaves that
 * need one, no table leaked or freed twice, the per-page reference model matches) and the pgprot
 * contract holds for every entry written. QuickTheories shrinks a failing sequence and prints its
 * seed.
 */
class UserPropertyTest {

    @Test
    void randomSequencesKeepEveryInvariant4K() {
        qt().withExamples(60).withShrinkCycles(200).withFixedSeed(0x5eed004L)
                .forAll(lists().of(integers().all()).ofSizeBetween(1, 30))
                .checkAssert(ops -> assertThat(new UserOpsHarness(Granule.G4K, 48, PfnmapVariant.SEED004_V4).run(ops)).isNull());
    }

    /** Other geometries: 16K/48, 64K/48, 4K/39 (the root is the PUD table), 64K/42 (two levels: the root holds PMDs). */
    @Test
    void randomSequencesKeepEveryInvariantOtherGeometries() {
        Granule[] gs = {Granule.G16K, Granule.G64K, Granule.G4K, Granule.G64K};
        int[] vas = {48, 48, 39, 42};
        qt().withExamples(32).withShrinkCycles(100).withFixedSeed(0x16c64cL)
                .forAll(lists().of(integers().all()).ofSizeBetween(1, 20), integers().between(0, 3))
                .checkAssert((ops, g) -> assertThat(new UserOpsHarness(gs[g], vas[g], PfnmapVariant.SEED004_V4).run(ops))
                        .as("%s/%d", gs[g], vas[g]).isNull());
    }

    /** The known-bad variant: random sequences must find the missing child deposit. */
    @Test
    void seed004V2IsCaughtByRandomSequences() {
        Random r = new Random(4);
        int caught = 0;
        String first = null;
        for (int i = 0; i < 40 && caught == 0; i++) {
            List<Integer> ops = new ArrayList<>();
            for (int k = 0; k < 30; k++) {
                ops.add(r.nextInt());
            }
            String bad = new UserOpsHarness(Granule.G4K, 48, PfnmapVariant.SEED004_V2).run(ops);
            if (bad != null) {
                caught++;
                first = bad;
            }
        }
        assertThat(caught).as("seed004-v2 caught").isPositive();
        assertThat(first).containsAnyOf("deposit", "pgtable_trans_huge_withdraw");
    }
}
