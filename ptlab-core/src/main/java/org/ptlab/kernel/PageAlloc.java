package org.ptlab.kernel;

import java.util.Map;
import java.util.TreeMap;

/**
 * The buddy allocator as far as the linear map cares: which physical pages of mapped RAM are free.
 * Free memory is a set of disjoint [start, end) ranges; allocations are first fit from the lowest
 * address with a power-of-two alignment ({@code alloc_pages(order)} hands out naturally aligned
 * blocks), frees merge neighbours. Pages the kernel image, the reserved ranges and the early KFENCE
 * pool occupy are never free. Hot-added blocks become free when onlined and must be entirely free
 * to go offline ({@code offline_pages} migrates or fails with -EBUSY; the model fails).
 */
public final class PageAlloc {
    private final long pageSize;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private long freeBytes;
    /** When set, allocations start first fit at a random address (a long-running, scattered system). */
    private java.util.Random spread;
    /**
     * The per-CPU list of free order-0 pages ({@code per_cpu_pages}): freed single pages are kept
     * here (LIFO) and handed out again first; drained back to the buddy lists when full and before
     * any range query ({@code drain_all_pages}, as memory offlining does).
     */
    private final long[] pcp = new long[512];
    private int pcpCount;

    PageAlloc(long pageSize) {
        this.pageSize = pageSize;
    }

    /** Make [start, end) free (boot memory minus carve-outs, or a memory block going online). */
    void addFree(long start, long end) {
        if (pcpCount > 0) {
            drain(); // keep the buddy view exact for the overlap check below
        }
        if (end <= start) {
            return;
        }
        Map.Entry<Long, Long> lo = free.floorEntry(start);
        if (lo != null && lo.getValue() > start) {
            throw new IllegalStateException(String.format("page allocator: 0x%x-0x%x is already free", start, end));
        }
        Map.Entry<Long, Long> hi = free.ceilingEntry(start);
        if (hi != null && hi.getKey() < end) {
            throw new IllegalStateException(String.format("page allocator: 0x%x-0x%x is already free", start, end));
        }
        freeBytes += end - start;
        if (lo != null && lo.getValue() == start) {
            start = lo.getKey();
            free.remove(lo.getKey());
        }
        if (hi != null && hi.getKey() == end) {
            end = hi.getValue();
            free.remove(hi.getKey());
        }
        free.put(start, end);
    }

    /** Remove [start, end) from the free set; false (nothing changed) unless all of it is free. */
    boolean takeRange(long start, long end) {
        drain();
        Map.Entry<Long, Long> e = free.floorEntry(start);
        if (e == null || e.getValue() < end) {
            return false;
        }
        take(e, start, end - start);
        return true;
    }

    /**
     * {@code alloc_pages(order)}: a free block of 2^order pages, aligned to its size; the lowest
     * that fits. Returns its PA, or -1 when none.
     */
    public long allocPages(int order) {
        if (order == 0 && pcpCount > 0) {
            freeBytes -= pageSize;
            return pcp[--pcpCount];
        }
        long size = pageSize << order;
        if (spread != null && !free.isEmpty()) {
            long lo = free.firstKey();
            long hi = free.lastEntry().getValue();
            long hint = lo + (long) (spread.nextDouble() * (hi - lo));
            Long from = free.floorKey(hint);
            for (Map.Entry<Long, Long> e : free.tailMap(from == null ? lo : from, true).entrySet()) {
                long a = (Math.max(e.getKey(), hint) + size - 1) & -size;
                if (a + size <= e.getValue()) {
                    take(e, a, size);
                    return a;
                }
            }
        }
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long a = (e.getKey() + size - 1) & -size;
            if (a + size <= e.getValue()) {
                take(e, a, size);
                return a;
            }
        }
        return -1;
    }

    /**
     * Placement policy: null for first fit from the lowest address (a freshly booted system), or a
     * random source: each allocation then starts first fit at a random address of free memory,
     * wrapping, which models the scattered placement of a long-running system.
     */
    public void spread(java.util.Random r) {
        this.spread = r;
    }

    /** {@code __free_pages(page, order)}. */
    public void freePages(long pa, int order) {
        if (order == 0) {
            if (pcpCount == pcp.length) {
                drain();
            }
            pcp[pcpCount++] = pa;
            freeBytes += pageSize;
            return;
        }
        addFree(pa, pa + (pageSize << order));
    }

    /** {@code drain_all_pages()}: return the per-CPU pages to the buddy lists. */
    public void drain() {
        int n = pcpCount;
        pcpCount = 0;
        freeBytes -= n * pageSize;
        for (int i = 0; i < n; i++) {
            addFree(pcp[i], pcp[i] + pageSize);
        }
    }

    private void take(Map.Entry<Long, Long> e, long a, long size) {
        long s = e.getKey();
        long t = e.getValue();
        free.remove(s);
        if (a > s) {
            free.put(s, a);
        }
        if (a + size < t) {
            free.put(a + size, t);
        }
        freeBytes -= size;
    }

    /** Whether every page of [start, end) is free. */
    public boolean isFree(long start, long end) {
        drain();
        Map.Entry<Long, Long> e = free.floorEntry(start);
        return e != null && e.getValue() >= end;
    }

    public long freeBytes() {
        return freeBytes;
    }
}
