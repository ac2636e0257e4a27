package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden matrix: every committed capture under src/test/resources/oracle is predicted from its
 * own inputs and compared with the real kernel's linear map ({@link OracleCheck}). A capture listed
 * in oracle/known-mismatches.txt must STILL mismatch (so a model fix forces removing its line);
 * every other capture must reproduce exactly.
 */
class OracleMatrixTest {

    static Path root() throws URISyntaxException {
        return Path.of(OracleMatrixTest.class.getResource("/oracle").toURI());
    }

    static Map<String, String> known() throws Exception {
        Path f = root().resolve("known-mismatches.txt");
        return OracleCheck.knownMismatches(Files.readString(f), f.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyCommittedCapture() throws Exception {
        Map<String, String> known = known();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path dir : OracleCheck.captureDirs(root())) {
            tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                Capture c = Capture.load(dir);
                OracleCheck.Result r = OracleCheck.check(c);
                if (known.containsKey(c.name())) {
                    assertThat(r.exact()).as(c.name() + " is listed in known-mismatches.txt (" + known.get(c.name())
                            + ") but now reproduces exactly: remove its line").isFalse();
                } else {
                    assertThat(r.exact()).as(c.name() + ": " + String.join("\n", r.details())).isTrue();
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void matrixHoldsEnoughCapturesAndTheKnownListNamesOnlyThem() throws Exception {
        List<String> names = new ArrayList<>();
        for (Path dir : OracleCheck.captureDirs(root())) {
            names.add(dir.getFileName().toString());
        }
        assertThat(names).doesNotHaveDuplicates();
        assertThat(names.size()).isGreaterThanOrEqualTo(40);
        assertThat(names).containsAll(known().keySet());
    }

    @Test
    void everyMatrixEntryWasCaptured() throws Exception {
        List<String> names = new ArrayList<>();
        for (Path dir : OracleCheck.captureDirs(root())) {
            names.add(dir.getFileName().toString());
        }
        for (CaptureSpec s : Matrix.read(root().resolve("matrix.yaml"))) {
            assertThat(names).as("matrix entry " + s.name()).contains(s.name());
        }
    }
}
