package org.ptlab.sweep;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzzes the sweep file parser and the result-row reader of --resume: any input parses or is
 * refused with an IllegalArgumentException naming the file (one line, exit 2). Regression mode under
 * plain mvn test (the inputs in SweepSpecFuzzTestInputs); JAZZER_FUZZ=1 fuzzes for real.
 */
class SweepSpecFuzzTest {
    static final Path DIR = Path.of("..", "scenarios", "sweeps");

    @FuzzTest(maxDuration = "5s")
    void sweepParserRejectsBadInputCleanly(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        try {
            SweepSpec s = SweepSpec.parse(text, "fuzz.yaml", DIR);
            if (s.campaign == null && s.points.isEmpty()) {
                throw new AssertionError("a sweep without points was accepted");
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.yaml:") || e.getMessage().contains("\n")) {
                throw new AssertionError("error is not one line naming the file: " + e.getMessage(), e);
            }
        }
        try {
            Row.parse(text);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null) {
                throw new AssertionError("a bad row without a message", e);
            }
        }
    }
}
