package org.ptlab.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the input layer's strict UTF-8 decoding: any bytes either decode to the same text as a
 * lenient decoder gives for valid input, or are refused with one line FILE:LINE:COLUMN naming the
 * bad byte. Regression mode (the corpus under resources) runs in mvn verify; fuzz for real with
 * {@code JAZZER_FUZZ=1 mvn -pl ptlab-core test -Dtest=InputFileFuzzTest}.
 */
class InputFileFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void decode(FuzzedDataProvider d) {
        byte[] b = d.consumeRemainingAsBytes();
        String s;
        try {
            s = InputFile.decode(b, "f.txt");
        } catch (InputFile.InputException e) {
            if (!e.getMessage().matches("f\\.txt:[1-9][0-9]*:[1-9][0-9]*: invalid UTF-8 \\(byte 0x[0-9a-f]{2}\\): expected UTF-8 text")) {
                throw new AssertionError("badly formed refusal: " + e.getMessage());
            }
            return;
        }
        int off = b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf ? 3 : 0;
        String lenient = new String(b, off, b.length - off, StandardCharsets.UTF_8);
        if (!s.equals(lenient)) {
            throw new AssertionError("accepted bytes decode differently from the JDK's decoder");
        }
    }
}
