package org.ptlab.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.Mmu;
import org.ptlab.pgtable.Pgtable;

/**
 * The invariant checker for a kernel's swapper tables (reference section 8), run after any
 * operation at a quiescent point:
 *
 * <ul>
 *   <li>{@code counters}: each DirectMap counter equals the bytes of linear-map leaves of its kind
 *       found by a walk, and none is negative (invariant 1);
 *   <li>{@code tables}: every table page reachable from swapper_pg_dir is allocated and reachable
 *       exactly once, and the linear map owns exactly the table pages reachable in its range (no
 *       leak) (invariant 8);
 *   <li>{@code cont-group}: every CONT_PTES / CONT_PMDS aligned group is all-or-nothing: either no
 *       member has CONT, or all are present leaves with CONT, identical attributes, an OA aligned
 *       to the group size and consecutive OAs (invariant 3);
 *   <li>{@code forbidden-block}: no block or CONT leaf where the configuration forbids one
 *       (force_pte_mapping(), the image alias' NO_CONT_MAPPINGS, levels without kernel blocks)
 *       (invariant 12);
 *   <li>{@code present-invalid}: with the 7.0.1 encoding, an invalid kernel leaf carries the nG
 *       marker and a valid one has nG exactly when KPTI is on (invariant 11).
 * </ul>
 * Later checks (pageattr reference model, hazards, user mms) live in their own classes.
 */
public final class Invariants {
    private Invariants() {}

    /** Run every check; an empty list means all hold. */
    public static List<Violation> check(Kernel k) {
        List<Violation> out = new ArrayList<>();
        Scan s = new Scan(k);
        s.run();
        checkCounters(k, s, out);
        out.addAll(s.violations);
        return out;
    }

    private static void checkCounters(Kernel k, Scan s, List<Violation> out) {
        Geometry g = k.geo;
        for (MapSize m : MapSize.VALUES) {
            long c = k.directMap.bytes(m);
            long w = s.buckets[m.ordinal()];
            String name = g.hasPud() || m != MapSize.PUD ? g.directMapName(m) : "DirectMap(PUD)";
            if (c < 0) {
                out.add(new Violation("counters", String.format("%s counter underflowed: %d kB (walk: %d kB)", name, c >> 10, w >> 10)));
            } else if (c != w) {
                out.add(new Violation("counters", String.format("%s counter %d kB != walk %d kB (%+d kB)", name, c >> 10, w >> 10, (c - w) >> 10)));
            }
        }
    }

    /** One pass over all of swapper collecting buckets, reachability and per-group facts. */
    private static final class Scan {
        final Kernel k;
        final Pgtable pg;
        final Geometry g;
        final long[] buckets = new long[MapSize.VALUES.length];
        final List<Violation> violations = new ArrayList<>();
        final BitSet seen = new BitSet();
        long linearTables;
        final long aliasStart;
        final long aliasEnd;
        final boolean noBlockOutsideAlias;
        final boolean noBlockInAlias;
        final boolean checkEncoding;
        int reported;

        Scan(Kernel k) {
            this.k = k;
            this.pg = k.pg;
            this.g = k.geo;
            this.aliasStart = k.physToVirt(k.mem.stext());
            this.aliasEnd = k.physToVirt(k.mem.initBegin());
            this.noBlockOutsideAlias = k.forcePteMapping || k.repaintedAtBoot;
            this.noBlockInAlias = (k.aliasFlags & Mmu.NO_BLOCK_MAPPINGS) != 0;
            this.checkEncoding = k.cfg.version.presentInvalidEncoding();
        }

        void add(Violation v) {
            if (reported++ < 50) {
                violations.add(v);
            }
        }

        void run() {
            seen.set(pg.slot(k.swapper));
            walk(g.startLevel, k.swapper, 0L);
            long owned = k.linearTablePages();
            if (owned != linearTables) {
                add(new Violation("tables", String.format("the linear map owns %d table pages but %d are reachable in its range (%s)",
                        owned, linearTables, owned > linearTables ? "leak" : "pages counted under another owner")));
            }
        }

        /** Walk one table page (entries copied out), base = VA of entry 0 (sign-extended for TTBR1). */
        private final long[][] scratch = new long[8][];

        private void walk(int level, long table, long base) {
            int n = g.entries(level);
            long size = g.entrySize(level);
            if (level == 3 && pg.isRunTable(table) && pg.runFirst(table) != 0 && pg.runStep(table) == size) {
                walkRun(table, base, size);
                return;
            }
            if (scratch[level + 2] == null) {
                scratch[level + 2] = new long[g.ptrsPerTable];
            }
            long[] e = scratch[level + 2];
            pg.copyTable(table, e);
            if (level == g.startLevel) {
                base = -(1L << g.vaBits);
            }
            if (level >= 2) {
                checkContGroups(level, e, n, base);
            }
            for (int i = 0; i < n; i++) {
                long d = e[i];
                if (d == 0) {
                    continue;
                }
                long va = base + i * size;
                boolean linear = k.isLinear(va);
                if (level < 3 && Desc.isTable(d)) {
                    long child = Pgtable.tablePa(d);
                    if (!pg.isLiveTable(child)) {
                        add(new Violation("tables", String.format("%s at 0x%x points to 0x%x, which is not an allocated table page",
                                g.levelName(level), va, child), va, va + size));
                        continue;
                    }
                    int slot = pg.slot(child);
                    if (seen.get(slot)) {
                        add(new Violation("tables", String.format("table page 0x%x is reachable twice (again from %s at 0x%x)",
                                child, g.levelName(level), va), va, va + size));
                        continue;
                    }
                    seen.set(slot);
                    if (pg.levelOf(child) != level + 1) {
                        add(new Violation("tables", String.format("table page 0x%x allocated for level %d is linked at level %d",
                                child, pg.levelOf(child), level + 1), va, va + size));
                    }
                    // A table whose span reaches past the linear map (e.g. the top PGD entry of a
                    // 52-bit, 5-level layout covers both the linear map's end and the vmalloc area)
                    // belongs to whoever allocated it.
                    boolean whole = linear && Long.compareUnsigned(va + size - 1, g.pageEnd - 1) <= 0;
                    if (whole || (linear && pg.ownerOf(child) == k.linearOwner)) {
                        linearTables++;
                    }
                    walk(level + 1, child, va);
                    continue;
                }
                // a leaf
                if (!g.blockAllowed(level)) {
                    add(new Violation("forbidden-block", String.format("leaf at level %d (%s) at 0x%x, where the kernel never maps blocks",
                            level, g.levelName(level), va), va, va + size));
                    continue;
                }
                if (linear) {
                    buckets[MapSize.of(level, Desc.cont(d)).ordinal()] += size;
                    checkLeaf(level, d, va, size);
                }
            }
        }

        /**
         * A PTE table held as one run: every entry has the attributes of the first and OAs step by
         * the page size, so CONT groups are whole iff the first OA is group aligned; one leaf check
         * per distinct region (alias, pool, rest) suffices.
         */
        private void walkRun(long table, long base, long size) {
            long first = pg.runFirst(table);
            int n = g.ptrsPerTable;
            if (Desc.cont(first) && ((first & Desc.OA_MASK) & (g.contPteSize - 1)) != 0) {
                add(new Violation("cont-group", String.format("contiguous PTE group at 0x%x: its output address 0x%x is not aligned to the group size",
                        base, first & Desc.OA_MASK), base, base + g.contPteSize));
            }
            if (!k.isLinear(base)) {
                return;
            }
            buckets[MapSize.of(3, Desc.cont(first)).ordinal()] += n * size;
            long end = base + n * size;
            if (regionClass(base) == regionClass(end - size) && !overlaps(base, end, aliasStart, aliasEnd)
                    && (k.kfencePool == 0 || !overlaps(base, end, k.physToVirt(k.kfencePool), k.physToVirt(k.kfencePool + k.kfencePoolSize)))) {
                checkLeaf(3, first, base, size);
                return;
            }
            long prevClass = -1;
            for (int i = 0; i < n; i++) {
                long va = base + i * size;
                long cls = regionClass(va);
                if (cls != prevClass) {
                    checkLeaf(3, first + i * size, va, size);
                    prevClass = cls;
                }
            }
        }

        private static boolean overlaps(long s, long e, long rs, long re) {
            return Long.compareUnsigned(s, re) < 0 && Long.compareUnsigned(rs, e) < 0;
        }

        private long regionClass(long va) {
            boolean inAlias = Long.compareUnsigned(va, aliasStart) >= 0 && Long.compareUnsigned(va, aliasEnd) < 0;
            boolean inPool = k.kfencePool != 0 && Long.compareUnsigned(va, k.physToVirt(k.kfencePool)) >= 0
                    && Long.compareUnsigned(va, k.physToVirt(k.kfencePool + k.kfencePoolSize)) < 0;
            return (inAlias ? 1 : 0) | (inPool ? 2 : 0);
        }

        private void checkLeaf(int level, long d, long va, long size) {
            boolean inAlias = Long.compareUnsigned(va, aliasStart) >= 0 && Long.compareUnsigned(va, aliasEnd) < 0;
            boolean inPool = k.kfencePool != 0 && Long.compareUnsigned(va, k.physToVirt(k.kfencePool)) >= 0
                    && Long.compareUnsigned(va, k.physToVirt(k.kfencePool + k.kfencePoolSize)) < 0;
            boolean noBlock = inAlias ? noBlockInAlias : (noBlockOutsideAlias || inPool);
            // 7.2+ map_mem() maps the alias with the linear map's own flags (CONT allowed there).
            boolean noCont = inAlias ? (k.aliasFlags & Mmu.NO_CONT_MAPPINGS) != 0 || noBlock : noBlock;
            if (noBlock && level < 3) {
                add(new Violation("forbidden-block", String.format("%s block at 0x%x although %s forbids blocks there",
                        g.levelName(level), va, inAlias ? "the image alias' flags" : inPool ? "the KFENCE pool" : "force_pte_mapping()"),
                        va, va + size));
            } else if (noCont && Desc.cont(d)) {
                add(new Violation("forbidden-block", String.format("CONT %s at 0x%x although %s forbids contiguous mappings there",
                        g.levelName(level), va, inAlias ? "the image alias (NO_CONT_MAPPINGS)" : "force_pte_mapping()"), va, va + size));
            }
            if (checkEncoding) {
                boolean valid = Desc.valid(d);
                boolean ng = (d & Desc.NG) != 0;
                if (!valid && !ng) {
                    add(new Violation("present-invalid", String.format("invalid %s at 0x%x lacks the nG present-invalid marker",
                            g.levelName(level), va), va, va + size));
                } else if (valid && ng != k.cfg.kpti) {
                    add(new Violation("present-invalid", String.format("valid %s at 0x%x has nG=%d but KPTI is %s",
                            g.levelName(level), va, ng ? 1 : 0, k.cfg.kpti ? "on" : "off"), va, va + size));
                }
            }
        }

        private void checkContGroups(int level, long[] e, int n, long base) {
            int per = g.contEntries(level);
            long size = g.entrySize(level);
            long groupSize = g.contSize(level);
            for (int first = 0; first + per <= n; first += per) {
                boolean any = false;
                for (int i = 0; i < per; i++) {
                    if (Desc.isLeaf(level, e[first + i]) && Desc.cont(e[first + i])) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    continue;
                }
                long va = base + first * size;
                long d0 = e[first];
                String why = null;
                long oa0 = d0 & Desc.OA_MASK;
                if (!Desc.isLeaf(level, d0) || !Desc.present(d0)) {
                    why = "its first entry is not a present leaf";
                } else if ((oa0 & (groupSize - 1)) != 0) {
                    why = String.format("its output address 0x%x is not aligned to the group size", oa0);
                } else {
                    for (int i = 0; i < per && why == null; i++) {
                        long d = e[first + i];
                        if (!Desc.isLeaf(level, d) || !Desc.present(d)) {
                            why = "entry " + i + " is not a present leaf";
                        } else if (!Desc.cont(d)) {
                            why = "entry " + i + " lacks CONT while others have it";
                        } else if (Desc.pgprot(d) != Desc.pgprot(d0)) {
                            why = String.format("entry %d has attributes 0x%x, entry 0 0x%x", i, Desc.pgprot(d), Desc.pgprot(d0));
                        } else if ((d & Desc.OA_MASK) != oa0 + i * size) {
                            why = "entry " + i + " does not continue the output addresses";
                        }
                    }
                }
                if (why != null) {
                    add(new Violation("cont-group", String.format("contiguous %s group at 0x%x: %s",
                            level == 3 ? "PTE" : "PMD", va, why), va, va + groupSize));
                }
            }
        }
    }
}
