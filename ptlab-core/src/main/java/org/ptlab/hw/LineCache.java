package org.ptlab.hw;

/**
 * One level of a physically indexed data cache: set-associative, LRU, tags only. The walker's
 * descriptor loads (and optionally the data accesses) go through a hierarchy of these, so that the
 * page-table footprint competes with data for cache capacity.
 *
 * <p>Sets of up to 16 ways keep their tags in place and their recency order as nibbles in one long
 * per set (as {@link XlatCache}'s set-associative levels do): a lookup compares every way without
 * branching on which one matches, a hit moves the way to rank 0 and a miss replaces the way at the
 * last rank. Wider sets keep their tags in recency order and shift them.
 */
final class LineCache {
    final String name;
    final int latency;
    final int lineShift;
    final int ways;
    final int setMask;
    /** Tags by set (line number + 1; 0 = empty): by way, or in recency order for wide sets. */
    private final long[] tag;
    /** Recency order per set (rank 0 most recent), for sets of up to 16 ways; else null. */
    private final long[] order;
    private final long orderMask;
    private final int lastRank;

    LineCache(CoreConfig.CacheLevel c) {
        this.name = c.name;
        this.latency = c.latency;
        this.lineShift = Integer.numberOfTrailingZeros(c.line);
        this.ways = c.ways;
        int lines = (int) (c.size / c.line);
        this.setMask = lines / ways - 1;
        this.tag = new long[lines];
        this.order = ways <= 16 ? new long[lines / ways] : null;
        this.orderMask = ways >= 16 ? -1L : (1L << (ways << 2)) - 1;
        this.lastRank = (ways - 1) << 2;
        clear();
    }

    /**
     * Look up a physical address; on a miss, fill (evicting the least recently used line). Returns
     * whether it hit.
     */
    boolean access(long pa) {
        long line = (pa >>> lineShift) + 1;
        int set = (int) ((line ^ (line >>> 17)) & setMask);
        int base = set * ways;
        long[] t = tag;
        if (order == null) {
            return accessShifting(t, base, line);
        }
        long ord = order[set];
        if (t[base + ((int) ord & 15)] == line) {
            return true;
        }
        // which way holds the line, without a branch per way: tags are below 2^58 and distinct in
        // a set, so (tag ^ line) - 1 is negative exactly for the matching way
        int match = 0;
        for (int j = 0; j < ways; j++) {
            match |= (int) (((t[base + j] ^ line) - 1) >>> 63) << j;
        }
        if (match != 0) {
            order[set] = XlatCache.toFront(ord, Integer.numberOfTrailingZeros(match));
            return true;
        }
        int j = (int) (ord >>> lastRank) & 15;
        order[set] = ((ord << 4) & orderMask) | j;
        t[base + j] = line;
        return false;
    }

    /** Sets wider than 16 ways: tags in recency order, shifted down by one while searching. */
    private boolean accessShifting(long[] t, int base, long line) {
        if (t[base] == line) {
            return true;
        }
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
        if (order != null) {
            long o = 0;
            for (int r = 0; r < ways; r++) {
                o |= (long) r << (r << 2);
            }
            java.util.Arrays.fill(order, o);
        }
    }
}
