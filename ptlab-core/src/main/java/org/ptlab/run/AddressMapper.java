package org.ptlab.run;

import java.util.Arrays;
import org.ptlab.source.AccessTrace;

/**
 * Maps a recorded trace's VAs onto a modelled target range: the trace's address space is cut into
 * aligned chunks (default 1 GiB), and each chunk it touches is given the next free chunk of the
 * target in order of first touch, keeping the offset within the chunk. Page, 2M and 1G alignment
 * inside a chunk is thus preserved, and the sparse layout of a process (heap, libraries, stack) is
 * packed into a small region. A trace needing more chunks than the target holds is an
 * IllegalArgumentException.
 */
public final class AddressMapper {
    private final long base;
    private final int chunkShift;
    private final long chunkMask;
    private final int slots;
    private long[] keys = new long[64];
    private int[] vals = new int[64];
    private int used;
    private long lastChunk = -1;
    private long lastBase;

    public AddressMapper(long targetBase, long targetSize, long chunk) {
        if (Long.bitCount(chunk) != 1 || chunk < 4096) {
            throw new IllegalArgumentException("chunk " + chunk + ": expected a power of two of at least 4K");
        }
        if (targetSize < chunk) {
            throw new IllegalArgumentException("target of " + targetSize + " bytes is smaller than one chunk of " + chunk);
        }
        this.base = targetBase;
        this.chunkShift = Long.numberOfTrailingZeros(chunk);
        this.chunkMask = chunk - 1;
        this.slots = (int) Math.min(Integer.MAX_VALUE, targetSize >>> chunkShift);
        Arrays.fill(keys, -1);
    }

    public long map(long va) {
        long c = va >>> chunkShift;
        if (c == lastChunk) {
            return lastBase + (va & chunkMask);
        }
        int slot = find(c);
        lastChunk = c;
        lastBase = base + ((long) slot << chunkShift);
        return lastBase + (va & chunkMask);
    }

    private int find(long c) {
        int mask = keys.length - 1;
        int h = (int) (c * 0x9E3779B97F4A7C15L >>> 40) & mask;
        while (keys[h] != -1) {
            if (keys[h] == c) {
                return vals[h];
            }
            h = (h + 1) & mask;
        }
        if (used == slots) {
            throw new IllegalArgumentException("the trace touches more than " + slots + " chunks of " + (chunkMask + 1)
                    + " bytes: use a larger target region or a smaller chunk");
        }
        keys[h] = c;
        vals[h] = used++;
        if (used * 2 > keys.length) {
            rehash();
        }
        return used - 1;
    }

    private void rehash() {
        long[] ok = keys;
        int[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new int[ok.length * 2];
        Arrays.fill(keys, -1);
        int mask = keys.length - 1;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != -1) {
                int h = (int) (ok[i] * 0x9E3779B97F4A7C15L >>> 40) & mask;
                while (keys[h] != -1) {
                    h = (h + 1) & mask;
                }
                keys[h] = ok[i];
                vals[h] = ov[i];
            }
        }
    }

    /**
     * The footprint of a trace in chunks: how many distinct aligned chunks its addresses touch (the
     * number a mapper over a large enough target would assign). Reads the trace to its end.
     */
    public static long chunksTouched(AccessTrace t, long chunk) throws java.io.IOException {
        AddressMapper m = new AddressMapper(0, Long.MAX_VALUE & -chunk, chunk);
        long[] va = new long[4096];
        byte[] ty = new byte[4096];
        int n;
        while ((n = t.next(va, ty, va.length)) > 0) {
            for (int i = 0; i < n; i++) {
                m.map(va[i]);
            }
        }
        return m.chunksUsed();
    }

    /** Chunks assigned so far. */
    public int chunksUsed() {
        return used;
    }
}
