package org.ptlab.pgtable;

import java.util.Arrays;

/**
 * Backing memory for translation-table pages: each table is a slot of {@code 2^tableBits}
 * descriptors held in large {@code long[]} chunks, so the heap used is the modelled page-table
 * memory plus one partly used chunk. Slots are recycled through a free stack; a recycled slot is
 * zeroed when handed out again (the kernel zeroes new table pages), fresh slots are already zero.
 *
 * <p>Not thread-safe: the model runs one modelled CPU at a time (the explorer hands control over
 * with a happens-before edge), so plain array accesses are correct.
 *
 * <p>A recycled slot is zeroed only if it was written since it was last zeroed (a per-slot dirty
 * flag), so table pages that are allocated and freed without ever being written (deposited page
 * tables of huge PFN maps, tables of a failed operation) cost no memset.
 *
 * <p>Everything outside the accessor layer ({@link Pgtable}) reaches tables only through it, so a
 * later store may hold uniform tables implicitly and materialise them on first write.
 */
public final class TableStore {
    private final int tableBits;
    private final int entries;
    private final int chunkShift;
    private final int tablesPerChunkShift;
    private long[][] chunks = new long[8][];
    private int highWater;
    private int[] freeStack = new int[64];
    private int freeTop;
    private int live;
    private boolean[] dirty = new boolean[1024];

    /**
     * @param tableBits log2 of descriptors per table
     * @param expectedTables a sizing hint; chunks grow from small to 8 MiB
     */
    public TableStore(int tableBits, long expectedTables) {
        this.tableBits = tableBits;
        this.entries = 1 << tableBits;
        long wantLongs = Math.max(1, expectedTables) << tableBits;
        int shift = 64 - Long.numberOfLeadingZeros(Math.max(1, wantLongs - 1));
        shift = Math.max(tableBits, Math.min(20, Math.max(shift - 3, 12)));
        this.chunkShift = shift;
        this.tablesPerChunkShift = chunkShift - tableBits;
    }

    /** Descriptors per table. */
    public int entries() {
        return entries;
    }

    /** Number of slots in use. */
    public int live() {
        return live;
    }

    /** Bytes of heap held by table chunks (for the memory-efficiency figure). */
    public long heapBytes() {
        long b = 0;
        for (long[] c : chunks) {
            if (c != null) {
                b += 16L + 8L * c.length;
            }
        }
        return b;
    }

    /** Hand out a zeroed slot. */
    public int alloc() {
        live++;
        if (freeTop > 0) {
            int slot = freeStack[--freeTop];
            if (dirty[slot]) {
                long[] c = chunks[slot >>> tablesPerChunkShift];
                int base = (slot & ((1 << tablesPerChunkShift) - 1)) << tableBits;
                Arrays.fill(c, base, base + entries, 0L);
                dirty[slot] = false;
            }
            return slot;
        }
        int slot = highWater++;
        if (slot >= dirty.length) {
            dirty = Arrays.copyOf(dirty, Math.max(slot + 1, dirty.length * 2));
        }
        int ci = slot >>> tablesPerChunkShift;
        if (ci >= chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        if (chunks[ci] == null) {
            chunks[ci] = new long[1 << chunkShift];
        }
        return slot;
    }

    /** Return a slot; its contents are left as they are until it is handed out again. */
    public void free(int slot) {
        live--;
        if (freeTop == freeStack.length) {
            freeStack = Arrays.copyOf(freeStack, freeStack.length * 2);
        }
        freeStack[freeTop++] = slot;
    }

    public long get(int slot, int idx) {
        return chunks[slot >>> tablesPerChunkShift][((slot & ((1 << tablesPerChunkShift) - 1)) << tableBits) + idx];
    }

    public void set(int slot, int idx, long v) {
        dirty[slot] = true;
        chunks[slot >>> tablesPerChunkShift][((slot & ((1 << tablesPerChunkShift) - 1)) << tableBits) + idx] = v;
    }

    /** Fill entries [from, from+count) with first, first+step, first+2*step, ... */
    public void fillRun(int slot, int from, int count, long first, long step) {
        dirty[slot] = true;
        long[] c = chunks[slot >>> tablesPerChunkShift];
        int base = ((slot & ((1 << tablesPerChunkShift) - 1)) << tableBits) + from;
        long v = first;
        for (int i = 0; i < count; i++) {
            c[base + i] = v;
            v += step;
        }
    }

    /** Copy out a whole table (for snapshots and checks). */
    public void copyOut(int slot, long[] dst) {
        long[] c = chunks[slot >>> tablesPerChunkShift];
        int base = (slot & ((1 << tablesPerChunkShift) - 1)) << tableBits;
        System.arraycopy(c, base, dst, 0, entries);
    }

    /** Copy a whole table in (for snapshot restore). */
    public void copyIn(int slot, long[] src) {
        dirty[slot] = true;
        long[] c = chunks[slot >>> tablesPerChunkShift];
        int base = (slot & ((1 << tablesPerChunkShift) - 1)) << tableBits;
        System.arraycopy(src, 0, c, base, entries);
    }
}
