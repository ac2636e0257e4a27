package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/**
 * Fuzz tests of the capture-folder parsers (linear-map.txt, decomposition, capture.properties, the
 * matrix file, the known-mismatch list, vmallocinfo, kfence-objects, symbols): each either succeeds or throws IllegalArgumentException
 * with one line naming the file. `mvn verify` replays the corpus in src/test/resources;
 * `JAZZER_FUZZ=1 mvn -pl ptlab-core test -Dtest=OracleParserFuzzTest` fuzzes for real.
 */
class OracleParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void linearMap(FuzzedDataProvider d) {
        Geometry g = d.consumeBoolean() ? Geometry.of(Granule.G4K, 48) : Geometry.of(Granule.G16K, 52);
        String text = d.consumeRemainingAsString();
        try {
            LinearMap m = LinearMap.parse(text, "fuzz/linear-map.txt", g);
            // what parses prints back and parses to the same runs
            assertThat(LinearMap.parse(m.text(), "again", g)).isEqualTo(m);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/linear-map.txt:").doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void decomposition(FuzzedDataProvider d) {
        try {
            Decomposition x = Decomposition.parse(d.consumeRemainingAsString(), "fuzz/decomposition");
            assertThat(x.pieces()).isNotEmpty();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/decomposition:").doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void properties(FuzzedDataProvider d) {
        try {
            Capture.parseProperties(d.consumeRemainingAsString(), "fuzz/capture.properties");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/capture.properties:").doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void matrixAndKnownList(FuzzedDataProvider d) {
        String a = d.consumeString(2000);
        try {
            Matrix.parse(a, "fuzz/matrix.yaml");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/matrix.yaml:").doesNotContain("\n");
        }
        try {
            OracleCheck.knownMismatches(d.consumeRemainingAsString(), "fuzz/known");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/known:").doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void bootInputs(FuzzedDataProvider d) {
        String a = d.consumeString(2000);
        String b = d.consumeString(2000);
        try {
            BootInputs.parseVmallocinfo(a, "fuzz/vmallocinfo");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/vmallocinfo:").doesNotContain("\n");
        }
        try {
            BootInputs.parseKfence(b, "fuzz/kfence-objects");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/kfence-objects:").doesNotContain("\n");
        }
        try {
            BootInputs.parseSymbols(d.consumeRemainingAsString(), "fuzz/symbols");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/symbols:").doesNotContain("\n");
        }
    }
}
