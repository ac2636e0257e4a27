package org.ptlab.source;

import java.io.IOException;

/**
 * A source of memory accesses, read in batches into caller-owned primitive arrays (no object per
 * access). Addresses are the trace's own VAs (or offsets, for generators); types are
 * {@link org.ptlab.hw.HwModel#LOAD}, {@code STORE} or {@code IFETCH}.
 */
public interface AccessTrace extends AutoCloseable {
    /** Fill up to max accesses; returns how many (0 at the end). */
    int next(long[] va, byte[] type, int max) throws IOException;

    /** Instructions executed so far, if the trace records them (lackey "I" lines), else 0. */
    default long instructions() {
        return 0;
    }

    @Override
    default void close() throws IOException {}
}
