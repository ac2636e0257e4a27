package org.ptlab.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.user.Mm;
import org.ptlab.user.UserSpace;
import org.ptlab.user.Vma;

/**
 * Invariants of user address spaces with huge PFN maps (reference section 8, items 8, 15, 16's
 * static part), checked at quiescent points:
 *
 * <ul>
 *   <li>{@code user-tables}: every table reachable from an mm's pgd is allocated, at the right level,
 *       owned by that mm and reachable once over all mms; the mm owns exactly its reachable tables
 *       plus its deposited ones (no leak); pgtables_bytes equals its non-root table pages;
 *   <li>{@code deposit}: each table page holding special huge leaves of VMAs without a fault
 *       handler has exactly one deposited table per such leaf (PTE tables under PMD leaves, PMD
 *       tables under PUD leaves), none elsewhere; deposited tables are live, of the next level,
 *       owned by the mm, unreachable and on one list only; the deposit counter matches;
 *   <li>{@code pgprot}: PTEs carry the page type (11), huge leaves the block type, and no special
 *       PTE has CONT (arm64 never folds special mappings);
 *   <li>{@code vma}: no leaf outside a VMA or across a VMA boundary;
 *   <li>{@code ref}: every page matches the {@link UserRefModel}: remapped pages present with their
 *       PFN and pgprot, pages of fault-handler VMAs absent or mapping the handler's PFN with the VMA's
 *       protection, nothing else mapped;
 *   <li>{@code check_mm}: no "non-zero pgtables_bytes" or leak logged at exit.
 * </ul>
 */
public final class UserInvariants {
    private UserInvariants() {}

    static {
    }

    /** Check every live mm against its reference model (keys: mm ids), plus the exit log. */
    public static List<Violation> check(UserSpace us, Map<Integer, UserRefModel> refs) {
        List<Violation> out = new ArrayList<>();
        BitSet seen = new BitSet();
        for (Mm mm : us.mms()) {
            checkMm(us, mm, refs == null ? null : refs.get(mm.id), seen, out);
        }
        for (String l : us.log) {
            out.add(new Violation("check_mm", l));
        }
        return out;
    }

    /** Check one mm (reference model may be null: structure and deposits only). */
    public static List<Violation> check(UserSpace us, Mm mm, UserRefModel ref) {
        List<Violation> out = new ArrayList<>();
        checkMm(us, mm, ref, new BitSet(), out);
        return out;
    }

    private static void checkMm(UserSpace us, Mm mm, UserRefModel ref, BitSet seen, List<Violation> out) {
        new Scan(us, mm, ref, seen, out).run();
    }

    private static final class Scan implements TableWalk.Visitor {
        final UserSpace us;
        final Pgtable pg;
        final Geometry g;
        final Mm mm;
        final UserRefModel ref;
        final BitSet seen;
        final List<Violation> out;
        long reachable;
        long deposits;
        long remappedSeen;
        int reported;
        /** Per holder table (slot): deposit-needing leaves seen. */
        final Map<Long, Integer> needs = new java.util.HashMap<>();
        final List<Long> holders = new ArrayList<>();
        final BitSet depSeen = new BitSet();

        Scan(UserSpace us, Mm mm, UserRefModel ref, BitSet seen, List<Violation> out) {
            this.us = us;
            this.pg = us.pg;
            this.g = us.geo;
            this.mm = mm;
            this.ref = ref;
            this.seen = seen;
            this.out = out;
        }

        void add(String inv, String msg, long s, long e) {
            if (reported++ < 50) {
                out.add(new Violation(inv, mm + ": " + msg, s, e));
            }
        }

        void run() {
            if (!pg.isLiveTable(mm.pgd)) {
                add("user-tables", String.format("pgd 0x%x is not an allocated table page", mm.pgd), 0, 0);
                return;
            }
            seen.set(pg.slot(mm.pgd));
            reachable = 1;
            holders.add(mm.pgd);
            TableWalk.walk(pg, mm.pgd, 0, us.top, this);
            // deposits per holder table
            for (long h : holders) {
                int need = needs.getOrDefault(h, 0);
                int have = 0;
                int holderLevel = pg.levelOf(h);
                for (long d = us.depositHead(h); d != 0 && have <= need + 1024; d = us.depositNext(d)) {
                    have++;
                    if (!pg.isLiveTable(d)) {
                        add("deposit", String.format("table 0x%x deposited under 0x%x is not allocated", d, h), 0, 0);
                        continue;
                    }
                    int s = pg.slot(d);
                    if (depSeen.get(s) || seen.get(s)) {
                        add("deposit", String.format("deposited table 0x%x is %s", d, seen.get(s) ? "also linked in the tree" : "on two lists"), 0, 0);
                    }
                    depSeen.set(s);
                    seen.set(s);
                    if (pg.ownerOf(d) != mm.owner) {
                        add("deposit", String.format("deposited table 0x%x belongs to %s", d, pg.ownerName(pg.ownerOf(d))), 0, 0);
                    }
                    if (pg.levelOf(d) != holderLevel + 1) {
                        add("deposit", String.format("table 0x%x of level %d deposited under a level-%d table", d, pg.levelOf(d), holderLevel), 0, 0);
                    }
                }
                deposits += have;
                if (have != need) {
                    add("deposit", String.format("%s table 0x%x holds %d special huge leaves that own a deposit but %d deposited tables%s",
                            g.levelName(holderLevel), h, need, have, have < need ? " (a split or zap will find none)" : " (leak)"), 0, 0);
                }
            }
            long owned = pg.pages(mm.owner);
            if (owned != reachable + deposits) {
                add("user-tables", String.format("owns %d table pages but %d are reachable and %d deposited (%s)", owned, reachable, deposits,
                        owned > reachable + deposits ? "leak" : "pages counted elsewhere"), 0, 0);
            }
            long bytes = pg.counterValue(mm.pgtablesBytes);
            if (bytes != (owned - 1) * g.pageSize) {
                add("user-tables", String.format("pgtables_bytes %d != %d table pages besides the pgd", bytes, owned - 1), 0, 0);
            }
            long dc = pg.counterValue(mm.deposited);
            if (dc != deposits) {
                add("deposit", String.format("deposit counter %d != %d tables on the deposit lists", dc, deposits), 0, 0);
            }
            if (ref != null && remappedSeen != ref.remappedBytes()) {
                add("ref", String.format("%d KiB remapped by remap_pfn_range but only %d KiB mapped", ref.remappedBytes() >> 10, remappedSeen >> 10), 0, 0);
            }
        }

        @Override
        public boolean table(long va, int level, long desc, long tablePa) {
            if (!pg.isLiveTable(tablePa)) {
                add("user-tables", String.format("%s at 0x%x points to 0x%x, not an allocated table page", g.levelName(level), va, tablePa), va, va);
                return false;
            }
            int s = pg.slot(tablePa);
            if (seen.get(s)) {
                add("user-tables", String.format("table 0x%x reachable twice (again from %s at 0x%x)", tablePa, g.levelName(level), va), va, va);
                return false;
            }
            seen.set(s);
            reachable++;
            if (pg.ownerOf(tablePa) != mm.owner) {
                add("user-tables", String.format("table 0x%x under 0x%x belongs to %s", tablePa, va, pg.ownerName(pg.ownerOf(tablePa))), va, va);
            }
            if (pg.levelOf(tablePa) != level + 1) {
                add("user-tables", String.format("table 0x%x allocated for level %d linked at level %d", tablePa, pg.levelOf(tablePa), level + 1), va, va);
            }
            if (level + 1 < 3) {
                holders.add(tablePa);
            }
            return true;
        }

        @Override
        public void leaf(long va, int level, long d, long table, int idx) {
            long size = g.entrySize(level);
            long end = va + size;
            if (level == 3) {
                if ((d & Desc.TABLE_BIT) == 0) {
                    add("pgprot", String.format("PTE at 0x%x has block type bits (0x%x): reserved at level 3, the page is not mapped", va, d), va, end);
                }
                if (Desc.cont(d) && (d & Desc.SPECIAL) != 0) {
                    add("pgprot", String.format("special PTE at 0x%x has CONT: arm64 never folds special mappings", va), va, end);
                }
            } else {
                if ((d & Desc.TABLE_BIT) != 0) {
                    add("pgprot", String.format("%s leaf at 0x%x has the page type bit (0x%x)", g.levelName(level), va, d), va, end);
                }
                if (level != 1 && level != 2 || !us.hugeLevelAllowed(level)) {
                    add("pgprot", String.format("leaf at level %d at 0x%x where PFN maps use none", level, va), va, end);
                }
            }
            Vma vma = mm.findVma(va);
            if (vma == null || end > vma.end) {
                add("vma", String.format("%s leaf [0x%x, 0x%x) %s", g.levelName(level), va, end,
                        vma == null ? "outside any VMA" : "crosses the VMA end 0x" + Long.toHexString(vma.end)), va, end);
            } else if (level < 3 && UserSpace.hasDeposit(vma, d)) {
                needs.merge(table, 1, Integer::sum);
            }
            if (ref != null) {
                checkRef(va, level, d, size);
            }
        }

        private void checkRef(long va, int level, long d, long size) {
            long pfn0 = (d & g.oaMask) >>> g.pageShift;
            long prot = level == 3 ? Desc.pgprot(d) : Desc.mkPageType(Desc.pgprot(d));
            long page = g.pageSize;
            for (long a = va; a < va + size; ) {
                long actualPfn = pfn0 + ((a - va) >>> g.pageShift);
                long[] exp = ref.expected(a);
                if (exp != null) {
                    // a run of the segment: check its first page (PFNs are consecutive on both sides)
                    UserRefModel.Seg s = ref.segs.floorEntry(a).getValue();
                    long runEnd = Math.min(va + size, s.end);
                    if (exp[0] != actualPfn || exp[1] != prot) {
                        add("ref", String.format("page 0x%x maps pfn 0x%x prot 0x%x; remap_pfn_range mapped pfn 0x%x prot 0x%x",
                                a, actualPfn, prot, exp[0], exp[1]), a, a + page);
                    }
                    remappedSeen += runEnd - a;
                    a = runEnd;
                    continue;
                }
                UserRefModel.RVma v = ref.vma(a);
                Map.Entry<Long, UserRefModel.Seg> nx = ref.segs.higherEntry(a);
                long runEnd = Math.min(va + size, nx == null ? Long.MAX_VALUE : nx.getKey());
                if (v == null || !v.handler) {
                    add("ref", String.format("page 0x%x is mapped (pfn 0x%x) but the reference has nothing there", a, actualPfn), a, a + page);
                } else {
                    long ep = v.pgoff + ((a - v.start) >>> g.pageShift);
                    long eprot = v.prot() | Desc.SPECIAL;
                    if (ep != actualPfn || eprot != prot) {
                        add("ref", String.format("page 0x%x maps pfn 0x%x prot 0x%x; the fault handler maps pfn 0x%x prot 0x%x",
                                a, actualPfn, prot, ep, eprot), a, a + page);
                    }
                    runEnd = Math.min(runEnd, v.end);
                }
                a = runEnd;
            }
        }
    }
}
