package org.ptlab.pgtable;

import java.util.Arrays;

/**
 * Backing memory for translation-table pages. A table is a <em>slot</em>; its descriptors are held
 * either implicitly, as an arithmetic run {@code first + i * step} (a new table is the run 0, 0: all
 * none; a table initialised in one go with consecutive descriptors, such as a PTE table mapping 2M
 * of the linear map, is a run too), or explicitly in a storage page of {@code 2^tableBits} longs
 * inside large {@code long[]} chunks. The first write that breaks the run materialises the page.
 * So the heap holds only tables whose entries differ from a run: a PTE-mapped 1 TiB linear map
 * needs 24 bytes per table instead of 4 KiB, and machines of tens of TiB fit on a small host.
 *
 * <p>Slots and storage pages are recycled through free stacks. Not thread-safe: the model runs one
 * modelled CPU at a time (the explorer hands over with a happens-before edge).
 *
 * <p>Only the accessor layer ({@link Pgtable}) uses this class.
 */
public final class TableStore {
    private static final int IMPLICIT = -1;

    private final int tableBits;
    private final int entries;
    private final int chunkShift;
    private final int pagesPerChunkShift;

    // slots
    private int[] page = new int[256];
    private long[] runFirst = new long[256];
    private long[] runStep = new long[256];
    private int slotHigh;
    private int[] slotFree = new int[64];
    private int slotFreeTop;
    private int live;

    // storage pages
    private long[][] chunks = new long[8][];
    private int pageHigh;
    private int[] pageFree = new int[64];
    private int pageFreeTop;
    private int materialised;

    /**
     * @param tableBits log2 of descriptors per table
     * @param expectedTables a sizing hint for the storage chunks (of at most 512 KiB, at least four tables)
     */
    public TableStore(int tableBits, long expectedTables) {
        this.tableBits = tableBits;
        this.entries = 1 << tableBits;
        long wantLongs = Math.max(1, expectedTables) << tableBits;
        int shift = 64 - Long.numberOfLeadingZeros(Math.max(1, wantLongs - 1));
        shift = Math.max(tableBits + 2, Math.min(16, Math.max(shift - 3, 12)));
        this.chunkShift = shift;
        this.pagesPerChunkShift = chunkShift - tableBits;
    }

    /** Descriptors per table. */
    public int entries() {
        return entries;
    }

    /** Number of slots in use. */
    public int live() {
        return live;
    }

    /** Number of live slots whose entries are held explicitly. */
    public int materialised() {
        return materialised;
    }

    /** Bytes of heap held by the store: storage chunks and per-slot metadata. */
    public long heapBytes() {
        long b = 16L + 4L * page.length + 16L + 8L * runFirst.length + 16L + 8L * runStep.length;
        for (long[] c : chunks) {
            if (c != null) {
                b += 16L + 8L * c.length;
            }
        }
        return b;
    }

    /** Hand out a slot whose entries are all none. */
    public int alloc() {
        live++;
        int slot;
        if (slotFreeTop > 0) {
            slot = slotFree[--slotFreeTop];
        } else {
            slot = slotHigh++;
            if (slot == page.length) {
                int n = page.length * 2;
                page = Arrays.copyOf(page, n);
                runFirst = Arrays.copyOf(runFirst, n);
                runStep = Arrays.copyOf(runStep, n);
            }
        }
        page[slot] = IMPLICIT;
        runFirst[slot] = 0;
        runStep[slot] = 0;
        return slot;
    }

    /** Return a slot (and its storage page, if any). */
    public void free(int slot) {
        live--;
        int p = page[slot];
        if (p != IMPLICIT) {
            materialised--;
            if (pageFreeTop == pageFree.length) {
                pageFree = Arrays.copyOf(pageFree, pageFree.length * 2);
            }
            pageFree[pageFreeTop++] = p;
        }
        page[slot] = IMPLICIT;
        if (slotFreeTop == slotFree.length) {
            slotFree = Arrays.copyOf(slotFree, slotFree.length * 2);
        }
        slotFree[slotFreeTop++] = slot;
    }

    public long get(int slot, int idx) {
        int p = page[slot];
        if (p == IMPLICIT) {
            return runFirst[slot] + idx * runStep[slot];
        }
        return chunks[p >>> pagesPerChunkShift][((p & ((1 << pagesPerChunkShift) - 1)) << tableBits) + idx];
    }

    public void set(int slot, int idx, long v) {
        int p = page[slot];
        if (p == IMPLICIT) {
            if (runFirst[slot] + idx * runStep[slot] == v) {
                return;
            }
            p = materialise(slot);
        }
        chunks[p >>> pagesPerChunkShift][((p & ((1 << pagesPerChunkShift) - 1)) << tableBits) + idx] = v;
    }

    /** Whether a slot is currently held as a run; if so, its first descriptor and step. */
    public boolean isRun(int slot) {
        return page[slot] == IMPLICIT;
    }

    public long runFirst(int slot) {
        return runFirst[slot];
    }

    public long runStep(int slot) {
        return runStep[slot];
    }

    /** Fill entries [from, from+count) with first, first+step, first+2*step, ... */
    public void fillRun(int slot, int from, int count, long first, long step) {
        if (from == 0 && count == entries) {
            int p = page[slot];
            if (p != IMPLICIT) {
                release(slot, p);
            }
            runFirst[slot] = first;
            runStep[slot] = step;
            return;
        }
        int p = page[slot];
        if (p == IMPLICIT) {
            p = materialise(slot);
        }
        long[] c = chunks[p >>> pagesPerChunkShift];
        int base = ((p & ((1 << pagesPerChunkShift) - 1)) << tableBits) + from;
        long v = first;
        for (int i = 0; i < count; i++) {
            c[base + i] = v;
            v += step;
        }
    }

    /** Copy out a whole table (for snapshots and checks). */
    public void copyOut(int slot, long[] dst) {
        int p = page[slot];
        if (p == IMPLICIT) {
            long v = runFirst[slot];
            long s = runStep[slot];
            for (int i = 0; i < entries; i++) {
                dst[i] = v;
                v += s;
            }
            return;
        }
        System.arraycopy(chunks[p >>> pagesPerChunkShift], (p & ((1 << pagesPerChunkShift) - 1)) << tableBits, dst, 0, entries);
    }

    /** Copy a whole table in (for snapshot restore). */
    public void copyIn(int slot, long[] src) {
        int p = page[slot];
        if (p == IMPLICIT) {
            p = materialise(slot);
        }
        System.arraycopy(src, 0, chunks[p >>> pagesPerChunkShift], (p & ((1 << pagesPerChunkShift) - 1)) << tableBits, entries);
    }

    private void release(int slot, int p) {
        materialised--;
        if (pageFreeTop == pageFree.length) {
            pageFree = Arrays.copyOf(pageFree, pageFree.length * 2);
        }
        pageFree[pageFreeTop++] = p;
        page[slot] = IMPLICIT;
    }

    /** Give a slot a storage page holding its current run. */
    private int materialise(int slot) {
        int p;
        if (pageFreeTop > 0) {
            p = pageFree[--pageFreeTop];
        } else {
            p = pageHigh++;
            int ci = p >>> pagesPerChunkShift;
            if (ci >= chunks.length) {
                chunks = Arrays.copyOf(chunks, chunks.length * 2);
            }
            if (chunks[ci] == null) {
                chunks[ci] = new long[1 << chunkShift];
            }
        }
        long[] c = chunks[p >>> pagesPerChunkShift];
        int base = (p & ((1 << pagesPerChunkShift) - 1)) << tableBits;
        long v = runFirst[slot];
        long s = runStep[slot];
        for (int i = 0; i < entries; i++) {
            c[base + i] = v;
            v += s;
        }
        page[slot] = p;
        materialised++;
        return p;
    }
}
