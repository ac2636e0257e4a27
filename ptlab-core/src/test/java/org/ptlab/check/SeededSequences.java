package org.ptlab.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs seeded random operation sequences and, on a failure, shrinks it to the shortest failing
 * prefix (a sequence of n operations is the first n of the longer one with the same seed) and
 * fails with the seed, the length and the operations of that prefix.
 */
public final class SeededSequences {
    private SeededSequences() {}

    /** One sequence: run the first ops operations of seed's sequence; null, or the first failure. */
    public interface Sequence {
        String run(long seed, int ops, List<String> trace);
    }

    /** Seeds firstSeed .. firstSeed + seqs - 1, ops operations each; label names the variant in a failure. */
    public static void allHold(String label, long firstSeed, int seqs, int ops, Sequence seq) {
        for (int s = 0; s < seqs; s++) {
            long seed = firstSeed + s;
            long t0 = System.nanoTime();
            String failure = seq.run(seed, ops, null);
            if (Boolean.getBoolean("ptlab.timing")) {
                System.err.printf("seed %x %s: %.0f ms%n", seed, label, (System.nanoTime() - t0) / 1e6);
            }
            if (failure == null) {
                continue;
            }
            int lo = 1;
            int hi = ops;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (seq.run(seed, mid, null) != null) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            List<String> trace = new ArrayList<>();
            String f = seq.run(seed, lo, trace);
            throw new AssertionError(label + " seed 0x" + Long.toHexString(seed) + " fails after " + lo + " operations: " + f
                    + "\n  " + String.join("\n  ", trace));
        }
    }
}
