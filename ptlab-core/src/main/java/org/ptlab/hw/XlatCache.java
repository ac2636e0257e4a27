package org.ptlab.hw;

import java.util.Arrays;

/**
 * A set-associative translation cache with LRU replacement over primitive arrays: one TLB level, or
 * the walk cache. An entry is tagged by a kind (a mapping size for TLBs, a table level for the
 * walk cache) and the VA shifted by that kind's shift, so one structure holds entries of several
 * sizes, and a lookup probes each kind currently present. Fully associative levels with more than
 * 8 ways get an open-addressed hash index so that a hit costs a hash probe, not a scan.
 *
 * <p>Per entry: {@link #val} (the output: a leaf's output address base, or the next table's PA),
 * {@link #aux} (leaf attributes, or the PA of the table the descriptor was read from) and
 * {@link #src} (the kind of the translation the entry came from, before splintering). No object per
 * entry and no allocation per lookup.
 */
final class XlatCache {
    final String name;
    final int sets;
    final int ways;
    final int setMask;
    final int latency;
    /** Shift of each kind (0..7). */
    final int[] shift;
    /** key = ((va >>> shift[kind]) << 3 | kind) + 1; 0 = empty. */
    final long[] key;
    final long[] val;
    final long[] aux;
    final byte[] src;
    final long[] stamp;
    private long clock;
    private final int[] perKind = new int[8];
    /** Bit k set iff some entry of kind k is present. */
    int kindMask;
    int live;
    private final int[] hidx;
    private final int hmask;
    // fully associative levels: exact LRU by time stamps (a hit is one store; the victim search
    // over all entries happens only on a fill into a full level) and a free stack
    private final boolean fa;
    private final int[] free;
    private int nfree;

    XlatCache(String name, int entries, int ways, int latency, int[] shift) {
        this.name = name;
        this.ways = ways;
        this.sets = entries / ways;
        this.setMask = sets - 1;
        this.latency = latency;
        this.shift = shift;
        this.key = new long[entries];
        this.val = new long[entries];
        this.aux = new long[entries];
        this.src = new byte[entries];
        this.stamp = new long[entries];
        if (sets == 1 && ways > 8) {
            int n = Integer.highestOneBit(entries * 4 - 1) << 1;
            hidx = new int[n];
            hmask = n - 1;
            fa = true;
            free = new int[entries];
            for (int i = 0; i < entries; i++) {
                free[i] = entries - 1 - i;
            }
            nfree = entries;
        } else {
            hidx = null;
            hmask = 0;
            fa = false;
            free = null;
        }
    }

    int entries() {
        return key.length;
    }

    static long keyOf(long va, int kind, int shift) {
        return ((va >>> shift) << 3 | kind) + 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) ^ (int) h;
    }

    /** Find an entry of one kind covering va, without touching LRU state; -1 if none. */
    int probe(long va, int kind) {
        long k = keyOf(va, kind, shift[kind]);
        if (hidx != null) {
            int h = hash(k) & hmask;
            int w;
            while ((w = hidx[h]) != 0) {
                if (key[w - 1] == k) {
                    return w - 1;
                }
                h = (h + 1) & hmask;
            }
            return -1;
        }
        int base = (int) ((va >>> shift[kind]) & setMask) * ways;
        for (int i = base, e = base + ways; i < e; i++) {
            if (key[i] == k) {
                return i;
            }
        }
        return -1;
    }

    /** Look up va over all present kinds, smallest kind first; marks the hit most recently used. */
    int lookup(long va) {
        int m = kindMask;
        while (m != 0) {
            int kind = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            int w = probe(va, kind);
            if (w >= 0) {
                touch(w);
                return w;
            }
        }
        return -1;
    }

    private void touch(int w) {
        stamp[w] = ++clock;
    }

    /** The least recently used entry of a full fully associative level. */
    private int lruVictim() {
        long[] st = stamp;
        int victim = 0;
        long best = st[0];
        for (int i = 1; i < st.length; i++) {
            if (st[i] < best) {
                best = st[i];
                victim = i;
            }
        }
        return victim;
    }

    /** Look up one kind and mark it used. */
    int lookup(long va, int kind) {
        if ((kindMask & (1 << kind)) == 0) {
            return -1;
        }
        int w = probe(va, kind);
        if (w >= 0) {
            touch(w);
        }
        return w;
    }

    /**
     * Insert an entry (replacing an existing one with the same key, else an empty way, else the
     * least recently used way of the set). Returns the way used.
     */
    int fill(long va, int kind, long value, long auxv, int srcKind) {
        return fill(va, kind, value, auxv, srcKind, false);
    }

    /** As {@link #fill(long, int, long, long, int)}; absent = the caller just looked the key up and missed. */
    int fill(long va, int kind, long value, long auxv, int srcKind, boolean absent) {
        long k = keyOf(va, kind, shift[kind]);
        int w = absent ? -1 : probe(va, kind);
        if (w < 0 && fa) {
            if (nfree == 0) {
                remove(lruVictim());
            }
            w = free[--nfree];
            key[w] = k;
            perKind[kind]++;
            kindMask |= 1 << kind;
            live++;
            int h = hash(k) & hmask;
            while (hidx[h] != 0) {
                h = (h + 1) & hmask;
            }
            hidx[h] = w + 1;
            stamp[w] = ++clock;
        } else if (w >= 0) {
            touch(w);
        } else {
            int base = (int) ((va >>> shift[kind]) & setMask) * ways;
            int victim = base;
            long best = Long.MAX_VALUE;
            for (int i = base, e = base + ways; i < e; i++) {
                if (key[i] == 0) {
                    victim = i;
                    break;
                }
                if (stamp[i] < best) {
                    best = stamp[i];
                    victim = i;
                }
            }
            if (key[victim] != 0) {
                remove(victim);
            }
            w = victim;
            key[w] = k;
            perKind[kind]++;
            kindMask |= 1 << kind;
            live++;
            stamp[w] = ++clock;
        }
        val[w] = value;
        aux[w] = auxv;
        src[w] = (byte) srcKind;
        return w;
    }

    int kindOf(int w) {
        return (int) ((key[w] - 1) & 7);
    }

    /** First VA covered by the entry. */
    long vaOf(int w) {
        int kind = kindOf(w);
        return ((key[w] - 1) >>> 3) << shift[kind];
    }

    long sizeOf(int w) {
        return 1L << shift[kindOf(w)];
    }

    /** Whether entry w covers any VA of [start, end) (end exclusive, unsigned, end 0 = 2^64). */
    boolean overlaps(int w, long start, long end) {
        long s = vaOf(w);
        long e = s + sizeOf(w);
        return Long.compareUnsigned(s, end - 1) <= 0 && Long.compareUnsigned(e - 1, start) >= 0;
    }

    /** Drop entry w. */
    void remove(int w) {
        long k = key[w];
        if (k == 0) {
            return;
        }
        int kind = (int) ((k - 1) & 7);
        if (--perKind[kind] == 0) {
            kindMask &= ~(1 << kind);
        }
        live--;
        key[w] = 0;
        if (hidx != null) {
            int h = hash(k) & hmask;
            while (hidx[h] != w + 1) {
                h = (h + 1) & hmask;
            }
            // backward-shift deletion for linear probing
            int hole = h;
            int j = h;
            for (;;) {
                j = (j + 1) & hmask;
                int e = hidx[j];
                if (e == 0) {
                    break;
                }
                int home = hash(key[e - 1]) & hmask;
                boolean between = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
                if (!between) {
                    hidx[hole] = e;
                    hole = j;
                }
            }
            hidx[hole] = 0;
            free[nfree++] = w;
        }
    }

    /** Drop every entry covering va; returns how many. */
    int invalidateVa(long va) {
        int n = 0;
        int m = kindMask;
        while (m != 0) {
            int kind = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            int w = probe(va, kind);
            if (w >= 0) {
                remove(w);
                n++;
            }
        }
        return n;
    }

    /** Drop every entry overlapping [start, end). */
    int invalidateRange(long start, long end) {
        int n = 0;
        for (int w = 0; w < key.length; w++) {
            if (key[w] != 0 && overlaps(w, start, end)) {
                remove(w);
                n++;
            }
        }
        return n;
    }

    /** Drop every entry whose val or aux equals pa (walk cache: entries pointing at or read from a table). */
    int invalidateTable(long pa) {
        int n = 0;
        for (int w = 0; w < key.length; w++) {
            if (key[w] != 0 && (val[w] == pa || aux[w] == pa)) {
                remove(w);
                n++;
            }
        }
        return n;
    }

    void clear() {
        Arrays.fill(key, 0);
        Arrays.fill(perKind, 0);
        if (hidx != null) {
            Arrays.fill(hidx, 0);
            for (int i = 0; i < key.length; i++) {
                free[i] = key.length - 1 - i;
            }
            nfree = key.length;
        }
        kindMask = 0;
        live = 0;
    }
}
