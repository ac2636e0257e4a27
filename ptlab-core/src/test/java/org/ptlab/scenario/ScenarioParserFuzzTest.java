package org.ptlab.scenario;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ptlab.yaml.ScenarioError;

/**
 * Fuzzes the scenario parser: any input either parses or fails with a one-line ScenarioError that
 * names the file, a line and a column; nothing else may escape. Regression mode under mvn test;
 * JAZZER_FUZZ=1 fuzzes for real.
 */
class ScenarioParserFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void parse(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        try {
            Scenario.parse(text, "f.yaml");
        } catch (ScenarioError e) {
            String m = e.getMessage();
            if (!m.matches("f\\.yaml:[1-9][0-9]*:[1-9][0-9]*: [^\\n]+")) {
                throw new AssertionError("badly formed error: " + m);
            }
        }
    }
}
