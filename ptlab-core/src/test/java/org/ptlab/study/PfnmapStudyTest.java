package org.ptlab.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.Presets;
import org.ptlab.study.LatMemRdStudy;
import org.ptlab.user.UserProt;

/** lat_mem_rd over remap_pfn_range mappings: the shapes are the ones remap_pfn_range makes, and bigger leaves never cost more. */
class PfnmapStudyTest {
    @Test
    void pteThenPmdThenPudAndTheRightLeaves() {
        CoreConfig core = Presets.get(Presets.DEFAULT);
        LatMemRdStudy.Params p = new LatMemRdStudy.Params();
        p.sizes = List.of(64L << 20, 2L << 30);
        p.warmup = 10_000;
        p.measure = 50_000;
        List<PfnmapStudy.Row> rows = PfnmapStudy.run(core, p, UserProt.Cache.NORMAL);
        String table = PfnmapStudy.format(rows, core, p, UserProt.Cache.NORMAL);
        PfnmapStudy.Row small = rows.get(0);
        PfnmapStudy.Row big = rows.get(1);
        assertThat(small.leaves()[0][3]).isEqualTo(16384);
        assertThat(small.leaves()[1][2]).isEqualTo(32);
        assertThat(small.leaves()[2][1]).as("64M has no room for a 1G leaf").isZero();
        assertThat(big.leaves()[2][1]).isEqualTo(2);
        assertThat(big.leaves()[1][2]).isEqualTo(1024);
        for (PfnmapStudy.Row r : rows) {
            assertThat(r.ns()[1]).as(table).isLessThanOrEqualTo(r.ns()[0]);
            assertThat(r.ns()[2]).as(table).isLessThanOrEqualTo(r.ns()[1] + 0.5);
        }
        assertThat(big.improvement(1)).as(table).isGreaterThan(small.improvement(1));
        assertThat(table).contains("PUD (1G)").contains("(no PUD leaf fits)").contains("2 PUD");
    }
}
