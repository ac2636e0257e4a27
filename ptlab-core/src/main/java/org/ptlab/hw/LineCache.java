package org.ptlab.hw;

/**
 * One level of a physically indexed data cache: set-associative, LRU, tags only. The walker's
 * descriptor loads (and optionally the data accesses) go through a hierarchy of these, so that the
 * page-table footprint competes with data for cache capacity.
 */
final class LineCache {
    final String name;
    final int latency;
    final int lineShift;
    final int ways;
    final int setMask;
    /** Tags by set, most recently used first; 0 = empty. */
    private final long[] tag;

    LineCache(CoreConfig.CacheLevel c) {
        this.name = c.name;
        this.latency = c.latency;
        this.lineShift = Integer.numberOfTrailingZeros(c.line);
        this.ways = c.ways;
        int lines = (int) (c.size / c.line);
        this.setMask = lines / ways - 1;
        this.tag = new long[lines];
    }

    /**
     * Look up a physical address; on a miss, fill (evicting the least recently used line). Returns
     * whether it hit. Each set is kept in recency order, so LRU needs no time stamps and a set is
     * one contiguous run of the array.
     */
    boolean access(long pa) {
        long line = (pa >>> lineShift) + 1;
        long[] t = tag;
        int base = (int) ((line ^ (line >>> 17)) & setMask) * ways;
        if (t[base] == line) {
            return true;
        }
        // shift the set down by one while searching: a hit stops the shift at its way
        long carry = t[base];
        for (int i = base + 1, e = base + ways; i < e; i++) {
            long cur = t[i];
            t[i] = carry;
            if (cur == line) {
                t[base] = line;
                return true;
            }
            carry = cur;
        }
        t[base] = line;
        return false;
    }

    void clear() {
        java.util.Arrays.fill(tag, 0);
    }
}
