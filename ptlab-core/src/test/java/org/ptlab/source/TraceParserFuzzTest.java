package org.ptlab.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz targets for the trace parsers (regression mode under plain {@code mvn test}: replays
 * the seed corpus in src/test/resources/org/ptlab/source/TraceParserFuzzTestInputs; fuzz
 * for real with JAZZER_FUZZ=1). Any input either parses or is rejected with an
 * IllegalArgumentException; nothing else may escape, and addresses stay the ones written.
 */
class TraceParserFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void lackey(FuzzedDataProvider d) throws IOException {
        byte[] in = d.consumeRemainingAsBytes();
        LackeyReader r = new LackeyReader(new ByteArrayInputStream(in), "fuzz", d.remainingBytes() % 2 == 0);
        long[] va = new long[7];
        byte[] ty = new byte[7];
        try {
            int n;
            long total = 0;
            while ((n = r.next(va, ty, va.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (ty[i] < 0 || ty[i] > 2) {
                        throw new AssertionError("bad type " + ty[i]);
                    }
                }
                total += n;
                if (total > in.length * 2L + 2) {
                    throw new AssertionError("more accesses than the input can hold");
                }
            }
        } catch (IllegalArgumentException expected) {
            // rejected with a message
            if (expected.getMessage() == null || !expected.getMessage().startsWith("fuzz:")) {
                throw new AssertionError("message without location: " + expected.getMessage());
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void binary(FuzzedDataProvider d) throws IOException {
        boolean withMagic = d.consumeBoolean();
        byte[] body = d.consumeRemainingAsBytes();
        byte[] in = body;
        if (withMagic) {
            in = new byte[BinaryTrace.MAGIC.length + body.length];
            System.arraycopy(BinaryTrace.MAGIC, 0, in, 0, BinaryTrace.MAGIC.length);
            System.arraycopy(body, 0, in, BinaryTrace.MAGIC.length, body.length);
        }
        try {
            BinaryTrace.Reader r = new BinaryTrace.Reader(new ByteArrayInputStream(in), "fuzz");
            long[] va = new long[5];
            byte[] ty = new byte[5];
            long total = 0;
            int n;
            while ((n = r.next(va, ty, va.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (ty[i] < 0 || ty[i] > 2) {
                        throw new AssertionError("bad type " + ty[i]);
                    }
                }
                total += n;
                if (total > in.length) {
                    throw new AssertionError("more records than bytes");
                }
            }
        } catch (IllegalArgumentException expected) {
            if (!expected.getMessage().startsWith("fuzz:")) {
                throw new AssertionError("message without location: " + expected.getMessage());
            }
        }
    }
}
