package org.ptlab.hw;

import java.util.Arrays;

/**
 * A set-associative translation cache with LRU replacement over primitive arrays: one TLB level, or
 * the walk cache. An entry is tagged by a kind (a mapping size for TLBs, a table level for the
 * walk cache) and the VA shifted by that kind's shift, so one structure holds entries of several
 * sizes, and a lookup probes each kind currently present. Fully associative levels with more than
 * 8 ways get a chained hash index so that a hit or a miss costs a hash probe, not a scan.
 *
 * <p>Per entry: {@link #val} (the output: a leaf's output address base, or the next table's PA),
 * {@link #aux} (leaf attributes, or the PA of the table the descriptor was read from) and
 * {@link #src} (the kind of the translation the entry came from, before splintering). No object per
 * entry and no allocation per lookup.
 */
final class XlatCache {
    /**
     * ASIDs: an entry for a VA below TTBR0 (a user address, never global in Linux) carries the
     * ASID it was filled under in VA bits 52..62, which no TTBR0 VA uses ({@link #tagged}); the set
     * index comes from the low bits, so tagging moves no entry, and an entry of another ASID simply
     * never matches. TTBR1 (kernel) VAs are global and untagged. Bit 63 stays clear, so a tagged
     * VA can never look like a TTBR1 one.
     */
    static final int ASID_SHIFT = 52;
    /** ASIDs representable in a tag (11 bits, value + 1). */
    static final int MAX_ASID = (1 << 11) - 2;
    private static final long ASID_BITS = ((1L << 11) - 1) << ASID_SHIFT;

    /** va tagged with an ASID's tag (0 for TTBR1 VAs, which are global). */
    static long tagged(long va, long asidTag) {
        return va | (asidTag & ~(va >> 63));
    }

    /** The tag of an ASID. */
    static long asidTag(int asid) {
        if (asid < 0 || asid > MAX_ASID) {
            throw new IllegalArgumentException("ASID " + asid + ": the model tags 0.." + MAX_ASID);
        }
        return (long) (asid + 1) << ASID_SHIFT;
    }

    /** A tagged VA without its tag. */
    static long untag(long tva) {
        return tva < 0 ? tva : tva & ~ASID_BITS;
    }

    /** The ASID a tagged VA carries, or -1 (TTBR1: global). */
    static int asidOfTagged(long tva) {
        return tva < 0 ? -1 : (int) (tva >>> ASID_SHIFT) - 1;
    }

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
    /**
     * Set-associative levels of up to 16 ways: exact LRU kept as the set's ways in recency order,
     * one nibble per rank (rank 0 most recent) in a long per set. A hit moves its way to rank 0, a
     * fill takes the way at the last rank, a removal moves its way there (so empty ways are always
     * taken before a valid one is evicted): each a few shifts and masks, with no branch on where
     * the way stood, which a host branch predictor could not guess.
     */
    private final long[] order;
    /** Nibbles of the ranks a set has (all ones for 16 ways). */
    private final long orderMask;
    /** Wider set-associative levels: exact LRU by time stamps (a hit is one store, a fill scans its set). */
    private final long[] stamp;
    private long clock;
    private final int[] perKind = new int[8];
    /** Bit k set iff some entry of kind k is present. */
    int kindMask;
    int live;

    // Fully associative levels (one set, more than 8 ways).
    final boolean fa;
    /**
     * Hash index with doubly linked chains through int arrays: link[0, buckets) are the chain
     * heads and link[buckets + way] the way's successor, each holding way + 1 (0 ends a chain);
     * from[way + 1] is the index in link of the slot that points at the way (from[0] is a dummy
     * that absorbs the writes for an absent successor). With four buckets per entry a miss is
     * usually one load of an empty head, and unlinking or linking a way is a fixed handful of
     * loads and stores, with no search and no branch the host's predictor would have to guess.
     */
    private final int[] link;
    private final int[] from;
    private final int hmask;
    /** Ways not holding an entry. */
    private final int[] free;
    private int nfree;
    /**
     * Fully associative levels: exact LRU as a circular doubly linked list over the live ways, most
     * recent at {@link #lruHead}, so the least recently used is lruPrev[lruHead]. A hit moves its way
     * in front of the head; a fill of a full level reuses the least recently used way, which in a
     * circular list is already in front of the head: the fill only moves the head onto it.
     */
    private final int[] lruNext;
    private final int[] lruPrev;
    /** The most recently used way, or -1 when the level is empty. */
    private int lruHead = -1;
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
        this.fa = sets == 1 && ways > 8;
        if (fa) {
            int n = Integer.highestOneBit(entries * 4 - 1) << 1;
            link = new int[n + entries];
            from = new int[entries + 1];
            hmask = n - 1;
            free = new int[entries];
            lruNext = new int[entries];
            lruPrev = new int[entries];
        } else {
            link = null;
            from = null;
            hmask = 0;
            free = null;
            lruNext = null;
            lruPrev = null;
        }
        boolean nib = !fa && ways <= 16;
        order = nib ? new long[sets] : null;
        orderMask = ways >= 16 ? -1L : (1L << (ways << 2)) - 1;
        stamp = fa || nib ? null : new long[entries];
        resetFree();
    }

    private void resetFree() {
        if (order != null) {
            long o = 0;
            for (int r = 0; r < ways; r++) {
                o |= (long) r << (r << 2);
            }
            Arrays.fill(order, o);
        }
        if (fa) {
            for (int i = 0; i < key.length; i++) {
                free[i] = key.length - 1 - i;
            }
            nfree = key.length;
            lruHead = -1;
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
        if (fa) {
            long[] ks = key;
            int[] ln = link;
            int nb = hmask + 1;
            for (int e = ln[hash(k) & hmask]; e != 0; e = ln[nb + e - 1]) {
                if (ks[e - 1] == k) {
                    return e - 1;
                }
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
        if ((m & (m - 1)) == 0) {
            // at most one size present (the common case): one probe, no loop
            if (m == 0) {
                return -1;
            }
            int kind = Integer.numberOfTrailingZeros(m);
            int w = probe(va, kind);
            if (w >= 0) {
                touch(w, va, kind);
            }
            return w;
        }
        while (m != 0) {
            int kind = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            int w = probe(va, kind);
            if (w >= 0) {
                touch(w, va, kind);
                return w;
            }
        }
        return -1;
    }

    private static final long NIB_ONES = 0x1111_1111_1111_1111L;
    private static final long NIB_HIGH = 0x8888_8888_8888_8888L;

    /**
     * Rank of way j in a set's order word: the lowest nibble equal to j, found branch-free (a
     * nibble of x is zero where the order holds j; the borrow trick flags the lowest zero nibble
     * exactly, false flags only appear above it).
     */
    static int rankOf(long ord, int j) {
        long x = ord ^ (j * NIB_ONES);
        return Long.numberOfTrailingZeros((x - NIB_ONES) & ~x & NIB_HIGH) >>> 2;
    }

    /** The order word with way j moved to rank 0 (the ranks before it move down one). */
    static long toFront(long ord, int j) {
        int p4 = rankOf(ord, j) << 2;
        return (ord & (-16L << p4)) | ((ord & ((1L << p4) - 1)) << 4) | j;
    }

    /** The order word with way j moved to the last rank (the ranks after it move up one). */
    static long toBack(long ord, int j, int ways) {
        int p4 = rankOf(ord, j) << 2;
        return (ord & ((1L << p4) - 1)) | ((ord & (-16L << p4)) >>> 4) | ((long) j << ((ways - 1) << 2));
    }

    /** Mark way w (found for va as kind) most recently used. */
    private void touch(int w, long va, int kind) {
        if (order != null) {
            int set = (int) ((va >>> shift[kind]) & setMask);
            order[set] = toFront(order[set], w - set * ways);
            return;
        }
        touch(w);
    }

    private void touch(int w) {
        if (fa) {
            touchFa(w);
            return;
        }
        stamp[w] = ++clock;
    }

    /** Make way w of a fully associative level the most recently used. */
    private void touchFa(int w) {
        int h = lruHead;
        if (w == h) {
            return;
        }
        int[] nx = lruNext;
        int[] pv = lruPrev;
        if (w != pv[h]) {
            // take w out and put it between the tail and the head (the tail is already there)
            int p = pv[w];
            int n = nx[w];
            nx[p] = n;
            pv[n] = p;
            insertBefore(h, w);
        }
        lruHead = w;
    }

    /** Link way w into the LRU list just before way h (between the tail and h when h is the head). */
    private void insertBefore(int h, int w) {
        int t = lruPrev[h];
        lruNext[t] = w;
        lruPrev[w] = t;
        lruNext[w] = h;
        lruPrev[h] = w;
    }

    /** Put a new way in front of the head of the LRU list of a fully associative level. */
    private void linkFront(int w) {
        int h = lruHead;
        if (h < 0) {
            lruNext[w] = w;
            lruPrev[w] = w;
        } else {
            insertBefore(h, w);
        }
        lruHead = w;
    }

    /** Take a way out of the LRU list. */
    private void unlinkLru(int w) {
        int n = lruNext[w];
        if (n == w) {
            lruHead = -1;
            return;
        }
        int p = lruPrev[w];
        lruNext[p] = n;
        lruPrev[n] = p;
        if (lruHead == w) {
            lruHead = n;
        }
    }

    /** Look up one kind and mark it used. */
    int lookup(long va, int kind) {
        if ((kindMask & (1 << kind)) == 0) {
            return -1;
        }
        int w = probe(va, kind);
        if (w >= 0) {
            touch(w, va, kind);
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
        int w = absent ? -1 : probe(va, kind);
        if (w >= 0) {
            touch(w, va, kind);
        } else {
            w = fa ? fillFa(va, kind) : order != null ? fillOrdered(va, kind) : fillStamped(va, kind);
        }
        return set(w, value, auxv, srcKind);
    }

    /*
     * The translation engine's fills, one per organisation, chosen at its call site: each is
     * small enough that the JIT inlines it into the engine's loop even after compiling it on its
     * own (a method whose compiled code is big, as fill's with every organisation inlined, is
     * then called, not inlined: "already compiled into a big method").
     */

    /** {@link #fill} of a key just looked up and missed, in a fully associative level. */
    int fillAbsentFa(long va, int kind, long value, long auxv, int srcKind) {
        return set(fillFa(va, kind), value, auxv, srcKind);
    }

    /** {@link #fill} of a key just looked up and missed, in a set-associative level. */
    int fillAbsentSet(long va, int kind, long value, long auxv, int srcKind) {
        return set(order != null ? fillOrdered(va, kind) : fillStamped(va, kind), value, auxv, srcKind);
    }

    private int set(int w, long value, long auxv, int srcKind) {
        val[w] = value;
        aux[w] = auxv;
        src[w] = (byte) srcKind;
        return w;
    }

    /** A new key in a fully associative level: a free way, else the LRU way, re-keyed in place. */
    private int fillFa(long va, int kind) {
        long k = keyOf(va, kind, shift[kind]);
        int w;
        if (nfree == 0) {
            // the least recently used way becomes the most recent: in the circular list it
            // already sits in front of the head
            w = lruPrev[lruHead];
            lruHead = w;
            long old = key[w];
            unlinkHash(w);
            if ((int) ((old - 1) & 7) != kind) {
                dropKind(old);
                addKind(kind);
            }
        } else {
            w = free[--nfree];
            live++;
            addKind(kind);
            linkFront(w);
        }
        key[w] = k;
        // link w at the head of its chain
        int[] ln = link;
        int h = hash(k) & hmask;
        int at = hmask + 1 + w;
        int n = ln[h];
        ln[at] = n;
        from[n] = at;
        ln[h] = w + 1;
        from[w + 1] = h;
        return w;
    }

    /**
     * A new key in a set-associative level of up to 16 ways: the way at the last rank of its set
     * (an empty one if the set has any, else the least recently used), moved to rank 0.
     */
    private int fillOrdered(long va, int kind) {
        int set = (int) ((va >>> shift[kind]) & setMask);
        long ord = order[set];
        int j = (int) (ord >>> ((ways - 1) << 2)) & 15;
        order[set] = ((ord << 4) & orderMask) | j;
        return rekey(set * ways + j, keyOf(va, kind, shift[kind]), kind);
    }

    /** A new key in a wider set-associative level: an empty way of its set, else the LRU way by stamps. */
    private int fillStamped(long va, int kind) {
        long[] ks = key;
        long[] st = stamp;
        int base = (int) ((va >>> shift[kind]) & setMask) * ways;
        int victim = base;
        long best = Long.MAX_VALUE;
        for (int i = base, e = base + ways; i < e; i++) {
            if (ks[i] == 0) {
                victim = i;
                break;
            }
            if (st[i] < best) {
                best = st[i];
                victim = i;
            }
        }
        st[victim] = ++clock;
        return rekey(victim, keyOf(va, kind, shift[kind]), kind);
    }

    /** Give way w (empty, or the victim) key k of kind, keeping the per-kind counts. */
    private int rekey(int w, long k, int kind) {
        long old = key[w];
        if (old == 0) {
            live++;
            addKind(kind);
        } else if ((int) ((old - 1) & 7) != kind) {
            dropKind(old);
            addKind(kind);
        }
        key[w] = k;
        return w;
    }

    private void addKind(int kind) {
        perKind[kind]++;
        kindMask |= 1 << kind;
    }

    /** Per-kind bookkeeping for an entry leaving (its way is reused at once). */
    private void dropKind(long k) {
        int kind = (int) ((k - 1) & 7);
        if (--perKind[kind] == 0) {
            kindMask &= ~(1 << kind);
        }
    }

    int kindOf(int w) {
        return (int) ((key[w] - 1) & 7);
    }

    /** First VA covered by the entry, with its ASID tag (see {@link #ASID_SHIFT}). */
    long taggedVaOf(int w) {
        int kind = kindOf(w);
        return ((key[w] - 1) >>> 3) << shift[kind];
    }

    /** First VA covered by the entry. */
    long vaOf(int w) {
        return untag(taggedVaOf(w));
    }

    /** The ASID of the entry, or -1 if global. */
    int asidOf(int w) {
        return asidOfTagged(taggedVaOf(w));
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
        if (fa) {
            removeFa(w);
            return;
        }
        dropKind(k);
        live--;
        key[w] = 0;
        if (order != null) {
            int set = w / ways;
            order[set] = toBack(order[set], w - set * ways, ways);
        }
    }

    /** Drop a fully associative entry: unlink it from its hash chain and the LRU list, free its way. */
    private void removeFa(int w) {
        dropKind(key[w]);
        live--;
        key[w] = 0;
        unlinkLru(w);
        unlinkHash(w);
        free[nfree++] = w;
    }

    /** Take way w out of its hash chain. */
    private void unlinkHash(int w) {
        int[] ln = link;
        int at = from[w + 1];
        int n = ln[hmask + 1 + w];
        ln[at] = n;
        from[n] = at;
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

    /**
     * Drop every entry overlapping [start, end) whose ASID is asid, or of any ASID when asid is
     * -1; global (TTBR1) entries always match.
     */
    int invalidateRange(long start, long end, int asid) {
        int n = 0;
        for (int w = 0; w < key.length; w++) {
            if (key[w] != 0 && overlaps(w, start, end) && (asid < 0 || asidOf(w) < 0 || asidOf(w) == asid)) {
                remove(w);
                n++;
            }
        }
        return n;
    }

    /** Drop every entry overlapping [start, end), of every ASID. */
    int invalidateRange(long start, long end) {
        return invalidateRange(start, end, -1);
    }

    /** Drop every entry covering va, of every ASID (TLBI VAAE1IS / VAALE1IS on a TTBR0 VA). */
    int invalidateVaAllAsids(long va) {
        if (va < 0) {
            return invalidateVa(va);
        }
        int n = 0;
        int m = kindMask;
        while (m != 0) {
            int kind = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            long want = va & -(1L << shift[kind]);
            int from = 0;
            int to = key.length;
            if (!fa) {
                from = (int) ((va >>> shift[kind]) & setMask) * ways;
                to = from + ways;
            }
            for (int w = from; w < to; w++) {
                if (key[w] != 0 && kindOf(w) == kind && vaOf(w) == want) {
                    remove(w);
                    n++;
                }
            }
        }
        return n;
    }

    /** Drop every entry of one ASID (TLBI ASIDE1IS). */
    int invalidateAsid(int asid) {
        int n = 0;
        for (int w = 0; w < key.length; w++) {
            if (key[w] != 0 && asidOf(w) == asid) {
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
            if (key[w] != 0 && (val[w] == pa || (aux[w] & ~HwModel.TABLE_XN) == pa)) {
                remove(w);
                n++;
            }
        }
        return n;
    }

    void clear() {
        Arrays.fill(key, 0);
        Arrays.fill(perKind, 0);
        if (fa) {
            Arrays.fill(link, 0);
        }
        resetFree();
        kindMask = 0;
        live = 0;
    }
}
