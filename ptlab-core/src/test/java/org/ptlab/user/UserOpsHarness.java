package org.ptlab.user;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.check.PgprotContract;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.check.UserInvariants;
import org.ptlab.check.UserRefModel;
import org.ptlab.check.Violation;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;

/**
 * Runs a sequence of user mm operations (each an int that seeds its parameters, so QuickTheories
 * can shrink the list) on the model and on the reference model, checking every invariant and the
 * pgprot contract after each step. Returns null, or a readable failure with the trace.
 */
final class UserOpsHarness {
    static final long K4 = 4096;
    static final long M2 = 2L << 20;
    static final long G1 = 1L << 30;
    static final long PLAY = 16L << 30;
    static final int[] PROTS = {UserProt.VM_READ, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.VM_READ | UserProt.VM_EXEC, 0};
    static final UserProt.Cache[] CACHES = UserProt.Cache.values();

    final Pgtable pg;
    final UserSpace us;
    final PgprotContract contract;
    final Map<Integer, UserRefModel> refs = new HashMap<>();
    final List<String> trace = new ArrayList<>();

    UserOpsHarness(Granule g, int vaBits, PfnmapVariant v) {
        pg = new Pgtable(Geometry.of(g, vaBits), 64);
        UserConfig c = new UserConfig();
        c.variant = v;
        us = new UserSpace(pg, new TlbFlush(pg, false), c);
        contract = new PgprotContract(us);
        pg.addObserver(contract);
    }

    String run(List<Integer> ops) {
        try {
            newMm();
            for (int op : ops) {
                step(op);
                String bad = check();
                if (bad != null) {
                    return bad;
                }
            }
            for (Mm mm : us.mms()) {
                exit(mm);
            }
            String bad = check();
            if (bad == null && pg.livePages() != 0) {
                bad = fail(pg.livePages() + " table pages still allocated after every mm exited");
            }
            return bad;
        } catch (UserBug e) {
            return fail("UserBug: " + e.getMessage());
        }
    }

    private String check() {
        List<Violation> v = new ArrayList<>(UserInvariants.check(us, refs));
        v.addAll(contract.violations());
        if (v.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder(v.toString());
        for (Violation x : v) {
            if (x.start() != x.end()) {
                long ps = pg.geo.pageSize;
                long s = x.start() & -pg.geo.entrySize(2);
                long e = Math.max(x.end(), s + pg.geo.entrySize(2));
                for (Mm mm : us.mms()) {
                    if (x.message().startsWith(mm + ":")) {
                        b.append(String.format("%nptdump of %s 0x%x-0x%x:%n", mm, s, e))
                                .append(org.ptlab.check.Ptdump.dump(pg, mm.pgd, s, (e + ps - 1) & -ps, new org.ptlab.check.Ptdump.Marker[0]));
                    }
                }
                break;
            }
        }
        return fail(b.toString());
    }

    private String fail(String what) {
        return what + "\ntrace:\n  " + String.join("\n  ", trace);
    }

    private Mm newMm() {
        Mm mm = us.mmAlloc();
        if (mm != null) {
            refs.put(mm.id, new UserRefModel(pg.geo.pageShift));
            trace.add("mm_alloc -> " + mm);
        }
        return mm;
    }

    private void exit(Mm mm) {
        trace.add("exit " + mm);
        us.exit(mm);
        refs.remove(mm.id);
    }

    private long len(Random r) {
        long page = pg.geo.pageSize;
        long pmd = pg.geo.entrySize(2);
        switch (r.nextInt(4)) {
            case 0: return page * (1 + r.nextInt(40));
            case 1: return pmd * (1 + r.nextInt(3)) + page * r.nextInt(3);
            case 2: return pmd * (1 + r.nextInt(3));
            default: return pg.geo.hasPud() ? G1 + pmd * r.nextInt(3) : pmd * 4;
        }
    }

    private long addr(Random r) {
        long page = pg.geo.pageSize;
        long pmd = pg.geo.entrySize(2);
        long base = G1 + (r.nextInt(8) * G1);
        switch (r.nextInt(3)) {
            case 0: return base + r.nextInt(512) * pmd % (8 * G1);
            case 1: return base + r.nextInt(1 << 14) * page;
            default: return 0;
        }
    }

    private void step(int op) {
        Random r = new Random(op);
        List<Mm> live = us.mms();
        if (live.isEmpty()) {
            newMm();
            return;
        }
        Mm mm = live.get(r.nextInt(live.size()));
        UserRefModel ref = refs.get(mm.id);
        int kind = r.nextInt(10);
        long fail = r.nextInt(4) == 0 ? 1 + r.nextInt(12) : 0;
        long page = pg.geo.pageSize;
        switch (kind) {
            case 0:
            case 1: { // mmap + remap_pfn_range by the driver
                long len = len(r);
                long a = addr(r);
                boolean congruent = r.nextInt(4) != 0;
                if (!congruent && len > 4 * pg.geo.entrySize(2)) {
                    len = 2 * pg.geo.entrySize(2) + 3 * page; // keep PTE-mapped runs small
                }
                long pfn = (r.nextInt(64) * (G1 / page)) + (congruent ? (a & (G1 - 1)) / page : r.nextInt(1024));
                if (a != 0) {
                    int rc = us.munmap(mm, a, len);
                    trace.add(String.format("munmap %s 0x%x 0x%x -> %d", mm, a, len, rc));
                    if (rc == 0) {
                        ref.munmap(a, len);
                    } else {
                        return;
                    }
                }
                int prot = PROTS[r.nextInt(PROTS.length)];
                UserProt.Cache c = CACHES[r.nextInt(CACHES.length)];
                pg.failNthAllocation(fail);
                long got = us.mmapPfn(mm, a, len, prot, c, pfn);
                pg.failNthAllocation(0);
                trace.add(String.format("mmap_pfn %s 0x%x 0x%x %s %s pfn 0x%x fail@%d -> 0x%x", mm, a, len, UserProt.rwx(prot), c.label, pfn, fail, got));
                if (got > 0) {
                    ref.mmap(got, len, prot, c, false, pfn);
                    ref.remap(got, pfn, len, UserProt.pageProt(prot | UserProt.VM_SHARED, c));
                }
                return;
            }
            case 2: { // mmap of a driver with a fault handler, or a plain one to remap later
                boolean handler = r.nextBoolean();
                long len = len(r);
                long pfn = r.nextInt(64) * (G1 / page);
                int prot = PROTS[r.nextInt(2) + 1];
                long got = us.mmap(mm, 0, len, prot, UserProt.Cache.DEVICE, handler, pfn);
                trace.add(String.format("mmap %s 0x%x %s %s pgoff 0x%x -> 0x%x", mm, len, UserProt.rwx(prot), handler ? "fault-handler" : "plain", pfn, got));
                if (got > 0) {
                    ref.mmap(got, len, prot, UserProt.Cache.DEVICE, handler, pfn);
                }
                return;
            }
            case 3: { // remap_pfn_range into part of a VMA with nothing mapped there
                List<long[]> vs = ref.vmaRanges();
                if (vs.isEmpty()) {
                    return;
                }
                long[] v = vs.get(r.nextInt(vs.size()));
                long pages = (v[1] - v[0]) / page;
                long from = v[0] + (r.nextBoolean() ? 0 : r.nextLong(pages)) * page;
                long size = Math.min(v[1] - from, (1 + r.nextLong(pages)) * page);
                if (ref.handler(from) || ref.anyRemapped(from, from + size)) {
                    return;
                }
                long pfn = r.nextInt(64) * (G1 / page) + (r.nextBoolean() ? (from & (G1 - 1)) / page : r.nextInt(512));
                long prot = mm.findVma(from).pageProt;
                pg.failNthAllocation(fail);
                int rc = us.remapPfnRange(mm, from, pfn, size, prot);
                pg.failNthAllocation(0);
                trace.add(String.format("remap_pfn_range %s 0x%x pfn 0x%x 0x%x fail@%d -> %d", mm, from, pfn, size, fail, rc));
                if (rc == 0) {
                    ref.remap(from, pfn, size, prot);
                }
                return;
            }
            case 4:
            case 5: { // mprotect part of a VMA (often one page inside a huge leaf)
                List<long[]> vs = ref.vmaRanges();
                if (vs.isEmpty()) {
                    return;
                }
                long[] v = vs.get(r.nextInt(vs.size()));
                long pages = (v[1] - v[0]) / page;
                long from = v[0] + r.nextLong(pages) * page;
                long len = Math.min(v[1] - from, (1 + r.nextInt(r.nextBoolean() ? 3 : 1200)) * page);
                int prot = PROTS[r.nextInt(PROTS.length)];
                pg.failNthAllocation(fail);
                int rc = us.mprotect(mm, from, len, prot);
                pg.failNthAllocation(0);
                trace.add(String.format("mprotect %s 0x%x 0x%x %s fail@%d -> %d", mm, from, len, UserProt.rwx(prot), fail, rc));
                if (rc == 0) {
                    ref.mprotect(from, len, prot);
                }
                return;
            }
            case 6: { // munmap a range (may span VMAs and holes)
                List<long[]> vs = ref.vmaRanges();
                long from;
                if (vs.isEmpty() || r.nextInt(5) == 0) {
                    from = G1 + r.nextInt(1 << 16) * page;
                } else {
                    long[] v = vs.get(r.nextInt(vs.size()));
                    from = v[0] + r.nextLong((v[1] - v[0]) / page) * page;
                }
                long len = r.nextBoolean() ? (1 + r.nextInt(600)) * page : (1 + r.nextInt(3)) * pg.geo.entrySize(2);
                pg.failNthAllocation(fail);
                int rc = us.munmap(mm, from, len);
                pg.failNthAllocation(0);
                trace.add(String.format("munmap %s 0x%x 0x%x fail@%d -> %d", mm, from, len, fail, rc));
                if (rc == 0) {
                    ref.munmap(from, len);
                }
                return;
            }
            case 7: { // fork
                if (live.size() >= 6) {
                    exit(mm);
                    return;
                }
                trace.add(String.format("fork %s fail@%d", mm, fail));
                pg.failNthAllocation(fail);
                Mm child = us.fork(mm);
                pg.failNthAllocation(0);
                trace.set(trace.size() - 1, trace.get(trace.size() - 1) + " -> " + child);
                if (child != null) {
                    refs.put(child.id, ref.fork());
                }
                return;
            }
            case 8: { // a fault somewhere in a VMA
                List<long[]> vs = ref.vmaRanges();
                if (vs.isEmpty()) {
                    return;
                }
                long[] v = vs.get(r.nextInt(vs.size()));
                long at = v[0] + r.nextLong((v[1] - v[0]) / page) * page;
                pg.failNthAllocation(fail);
                int rc = us.fault(mm, at);
                pg.failNthAllocation(0);
                trace.add(String.format("fault %s 0x%x fail@%d -> %d", mm, at, fail, rc));
                if (rc == 0 && !mapped(mm, at)) {
                    trace.add("  ... but 0x" + Long.toHexString(at) + " is not mapped after the fault");
                    throw new UserBug("fault returned 0 but the page is not mapped");
                }
                return;
            }
            default:
                if (live.size() > 1 || r.nextBoolean()) {
                    exit(mm);
                }
                if (us.mms().isEmpty()) {
                    newMm();
                }
        }
    }

    private boolean mapped(Mm mm, long va) {
        boolean[] m = new boolean[1];
        TableWalk.walk(pg, mm.pgd, va, va + pg.geo.pageSize, new TableWalk.Visitor() {
            @Override
            public void leaf(long a, int level, long desc, long table, int idx) {
                m[0] = true;
            }
        });
        return m[0];
    }
}
