package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    /** A clock the test advances by hand (no real time involved). */
    static final class Clock {
        long now;
    }

    @Test
    void plainOutputIsOneLinePerIntervalWithoutCarriageReturns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Clock c = new Clock();
        try (ProgressReporter p = new ProgressReporter("run", "steps", 1000, new PrintStream(buf, true, StandardCharsets.UTF_8),
                false, 10, () -> c.now)) {
            for (int i = 1; i <= 1000; i++) {
                c.now += 50_000_000L; // 50 ms per step: 50 s in all, a line every 10 s
                p.update(i);
            }
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        assertThat(out.split("\n")).hasSize(5)
                .startsWith("run: 200/1000 steps (20%), 10.0 s elapsed");
    }

    @Test
    void terminalRedrawsOneBarInPlaceAndEndsTheLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Clock c = new Clock();
        ProgressReporter p = new ProgressReporter("compare", "steps", 8, new PrintStream(buf, true, StandardCharsets.UTF_8),
                true, 10, () -> c.now);
        for (int i = 1; i <= 4; i++) {
            c.now += 1_000_000_000L;
            p.update(i);
        }
        assertThat(p.bar(4.0)).isEqualTo("compare  [############............]  50%  4/8 steps  0:04 left");
        p.close();
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\rcompare  [###.....................]  12%  1/8 steps  0:07 left");
        assertThat(out.split("\n")).hasSize(1);
        assertThat(out).endsWith("\n");
    }

    @Test
    void unknownTotalCountsWithoutPercentage() {
        ProgressReporter p = new ProgressReporter("explore", "schedules", 0, null, false, 10, () -> 0L);
        p.advance(7);
        assertThat(p.done()).isEqualTo(7);
        assertThat(p.line(2.0)).isEqualTo("explore: 7 schedules, 2.0 s elapsed");
    }
}
