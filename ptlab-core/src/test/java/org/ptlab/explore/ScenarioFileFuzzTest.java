package org.ptlab.explore;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the explorer's two parsers of user input (scenario YAML, counterexample schedule): any
 * input must either parse or be rejected with an IllegalArgumentException (one line, exit 2).
 * Regression mode under plain mvn test; JAZZER_FUZZ=1 fuzzes for real.
 */
class ScenarioFileFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void scenarioParserRejectsBadInputCleanly(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        try {
            ScenarioFile.parse(text, "fuzz.yaml");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.yaml")) {
                throw new AssertionError("error does not name the file: " + e.getMessage(), e);
            }
        }
        try {
            ScheduleFile.parse(text, "fuzz.txt");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.txt")) {
                throw new AssertionError("error does not name the file: " + e.getMessage(), e);
            }
        }
    }
}
