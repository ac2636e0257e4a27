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
    private final long[] tag;
    private final long[] stamp;
    private long clock;

    LineCache(CoreConfig.CacheLevel c) {
        this.name = c.name;
        this.latency = c.latency;
        this.lineShift = Integer.numberOfTrailingZeros(c.line);
        this.ways = c.ways;
        int lines = (int) (c.size / c.line);
        this.setMask = lines / ways - 1;
        this.tag = new long[lines];
        this.stamp = new long[lines];
    }

    /** Look up a physical address; on a miss, fill (evicting the LRU line). Returns whether it hit. */
    boolean access(long pa) {
        long line = (pa >>> lineShift) + 1;
        int base = (int) ((line ^ (line >>> 17)) & setMask) * ways;
        int victim = base;
        long best = Long.MAX_VALUE;
        for (int i = base, e = base + ways; i < e; i++) {
            long t = tag[i];
            if (t == line) {
                stamp[i] = ++clock;
                return true;
            }
            if (stamp[i] < best) {
                best = stamp[i];
                victim = i;
            }
        }
        tag[victim] = line;
        stamp[victim] = ++clock;
        return false;
    }

    void clear() {
        java.util.Arrays.fill(tag, 0);
        java.util.Arrays.fill(stamp, 0);
    }
}
