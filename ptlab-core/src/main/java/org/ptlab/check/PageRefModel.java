package org.ptlab.check;

import org.ptlab.pgtable.TableWalk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.kernel.Kernel;

/**
 * A deliberately trivial reference model of kernel page attributes: one attribute word per base
 * page (output address and every descriptor bit except CONT and the block/page type bit), with no
 * notion of blocks, tables, contiguous groups or splitting. Callers apply the effect each operation
 * is specified to have; {@link #compare} then checks that the real tables translate every page of
 * the linear map and of the tracked vmalloc pages to exactly these words.
 */
public final class PageRefModel {
    private final Kernel k;
    private final Geometry g;
    private final long[] linear;
    private final long linearBase;
    private final Map<Long, Long> other = new HashMap<>();

    /** Snapshot the current linear map (every mapped page) as the model's starting point. */
    public PageRefModel(Kernel k) {
        this.k = k;
        this.g = k.geo;
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (org.ptlab.kernel.MemoryLayout.Range r : k.mem.memory()) {
            lo = Math.min(lo, r.start());
            hi = Math.max(hi, r.end());
        }
        this.linearBase = k.physToVirt(lo);
        this.linear = new long[(int) ((hi - lo) >>> g.pageShift)];
        TableWalk.walk(k.pg, k.swapper, linearBase, k.physToVirt(hi), new TableWalk.Visitor() {
            @Override
            public void leaf(long va, int level, long d, long table, int idx) {
                long size = g.entrySize(level);
                for (long p = 0; p < size; p += g.pageSize) {
                    set(va + p, word(d, level, p));
                }
            }
        });
    }

    /** The attribute word of the page at offset off inside the leaf d at a level. */
    public long word(long d, int level, long off) {
        long size = g.entrySize(level);
        return ((d & g.oaMask & -size) + off) | (d & ~Desc.OA_MASK & ~(Desc.CONT | Desc.TABLE_BIT));
    }

    public long get(long va) {
        if (k.isLinear(va)) {
            long i = (va - linearBase) >>> g.pageShift;
            if (i >= 0 && i < linear.length) {
                return linear[(int) i];
            }
        }
        return other.getOrDefault(va, 0L);
    }

    public void set(long va, long w) {
        if (k.isLinear(va)) {
            long i = (va - linearBase) >>> g.pageShift;
            if (i >= 0 && i < linear.length) {
                linear[(int) i] = w;
                return;
            }
        }
        if (w == 0) {
            other.remove(va);
        } else {
            other.put(va, w);
        }
    }

    /** (w & ~clear) | set on every present page of [va, va + pages pages). */
    public void change(long va, long pages, long set, long clear) {
        for (long i = 0; i < pages; i++) {
            long a = va + (i << g.pageShift);
            long w = get(a);
            if (w != 0) {
                set(a, (w & ~clear) | set);
            }
        }
    }

    /** A page newly mapped at va to pa with a page-type descriptor prot. */
    public void map(long va, long pa, long prot) {
        set(va, pa | (prot & ~Desc.OA_MASK & ~(Desc.CONT | Desc.TABLE_BIT)));
    }

    public void unmap(long va) {
        set(va, 0);
    }

    /**
     * Compare the model with the tables over the linear map and every tracked non-linear page;
     * returns at most {@code max} violations ("pageattr-ref").
     */
    public List<Violation> compare(int max) {
        List<Violation> out = new ArrayList<>();
        long end = linearBase + ((long) linear.length << g.pageShift);
        long[] cur = {linearBase};
        TableWalk.walk(k.pg, k.swapper, linearBase, end, new TableWalk.Visitor() {
            @Override
            public void hole(long va, long size, int level) {
                for (long p = 0; p < size && out.size() < max; p += g.pageSize) {
                    check(va + p, 0, out);
                }
            }

            @Override
            public void leaf(long va, int level, long d, long table, int idx) {
                long size = g.entrySize(level);
                for (long p = 0; p < size && out.size() < max; p += g.pageSize) {
                    check(va + p, word(d, level, p), out);
                }
            }
        });
        for (Map.Entry<Long, Long> e : other.entrySet()) {
            if (out.size() >= max) {
                break;
            }
            check(e.getKey(), actual(e.getKey()), out);
        }
        return out;
    }

    /** The word the tables give for one page (0 when unmapped). */
    public long actual(long va) {
        org.ptlab.pgtable.TableWalk.Entry e = new org.ptlab.pgtable.TableWalk.Entry();
        long d = org.ptlab.pgtable.TableWalk.peekLeaf(k.pg, k.swapper, va, e);
        if (d == 0) {
            return 0;
        }
        return word(d, e.level, va & (g.entrySize(e.level) - 1));
    }

    private void check(long va, long actual, List<Violation> out) {
        long want = get(va);
        if (want != actual) {
            out.add(new Violation("pageattr-ref", String.format("page 0x%x: tables give 0x%016x, the reference model 0x%016x (differs in 0x%x)",
                    va, actual, want, want ^ actual), va, va + g.pageSize));
        }
    }
}
