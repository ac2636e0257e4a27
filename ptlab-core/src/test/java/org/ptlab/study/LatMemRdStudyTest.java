package org.ptlab.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.Presets;

class LatMemRdStudyTest {
    @Test
    void improvementGrowsWithSizeAndLandsInSeedRangeAt4G() {
        CoreConfig core = Presets.get(Presets.DEFAULT);
        LatMemRdStudy.Params p = new LatMemRdStudy.Params();
        p.warmup = 500_000;
        p.measure = 200_000;
        List<LatMemRdStudy.Row> rows = LatMemRdStudy.run(core, p);
        System.out.println(LatMemRdStudy.format(rows, core, p));
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).improvement()).as("improvement at %d MB", rows.get(i).size() >> 20)
                    .isGreaterThanOrEqualTo(rows.get(i - 1).improvement() - 0.005);
            assertThat(rows.get(i).nsSmall()).isGreaterThanOrEqualTo(rows.get(i - 1).nsSmall() - 0.5);
        }
        LatMemRdStudy.Row last = rows.get(rows.size() - 1);
        assertThat(last.size()).isEqualTo(4L << 30);
        assertThat(last.improvement()).isBetween(0.20, 0.60);
        assertThat(rows.get(0).improvement()).isLessThan(last.improvement());
    }
}
