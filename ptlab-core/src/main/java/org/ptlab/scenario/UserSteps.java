package org.ptlab.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ptlab.check.PgprotContract;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.check.UserInvariants;
import org.ptlab.check.UserRefModel;
import org.ptlab.check.UserVariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.KernelBug;
import org.ptlab.user.Mm;
import org.ptlab.user.UserBug;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;
import org.ptlab.user.Vma;
import org.ptlab.yaml.YNode;

/**
 * Scenario steps for user address spaces and huge PFN maps (seed 004): {@code mm_alloc},
 * {@code mmap} (a driver with a fault handler, or a plain VMA), {@code mmap_pfn} (a driver whose
 * ->mmap calls remap_pfn_range), {@code remap_pfn_range}, {@code mprotect}, {@code munmap},
 * {@code fork}, {@code fault}, {@code exit_mmap} and the expectation {@code user_leaves}. The mms
 * share the kernel's tables ({@code Pgtable}); the pfnmap variant comes from the scenario's
 * variants. At every check point the user invariants, the reference model of each mm and the
 * pgprot contract of every entry written are checked with the kernel's; an oops in the user mm
 * code (a withdraw from an empty deposit list) is reported as a kernel BUG.
 *
 * <p>Areas are named per mm ({@code mm: p, area: bar}); a child of fork inherits its parent's
 * area names. Offsets and lengths are in pages ({@code offset}, {@code pages}) or bytes
 * ({@code size}).
 */
final class UserSteps {
    private UserSteps() {}

    /** The user side of a scenario: the address spaces, their names, areas and reference models. */
    static final class State {
        final UserSpace us;
        final PgprotContract contract;
        final Map<String, Mm> mms = new HashMap<>();
        final Map<Integer, UserRefModel> refs = new HashMap<>();
        final Map<String, Map<String, long[]>> areas = new HashMap<>();

        State(ScenarioContext c) {
            us = new UserSpace(c.k.pg, c.k.tlb, UserVariants.config(c.k.cfg.variants));
            contract = new PgprotContract(us);
            c.k.pg.addObserver(contract);
            c.checkers.add(this::check);
        }

        List<Violation> check() {
            List<Violation> v = new ArrayList<>();
            for (Violation x : UserInvariants.check(us, refs)) {
                v.add(new Violation(x.invariant(), x.message()));
            }
            v.addAll(contract.violations());
            return v;
        }

        Mm mm(String name) {
            Mm m = mms.get(name);
            if (m == null) {
                throw new StepFailure("no mm named '" + name + "' exists at this point");
            }
            return m;
        }

        long[] area(String mm, String name) {
            long[] a = areas.getOrDefault(mm, Map.of()).get(name);
            if (a == null) {
                throw new StepFailure("mm " + mm + " has no area named '" + name + "'");
            }
            return a;
        }
    }

    static State state(ScenarioContext c) {
        if (!c.has("user")) {
            c.put("user", new State(c));
        }
        return c.get("user", State.class, "user state");
    }

    /** This family's step kinds (StepRegistry lists them all). */
    static List<StepKind> kinds() {
        List<StepKind> out = new ArrayList<>();
        kind(out, "mm_alloc", "NAME  (a new user address space)", UserSteps::mmAlloc);
        kind(out, "mmap", "{mm, name, size, addr: 0, prot: rw, cache: device, fault_handler: false, pgoff: PFN, expect}", (a, r) -> mmap(a, false));
        kind(out, "mmap_pfn", "{mm, name, size, addr: 0, prot: rw, cache: device, pfn: PFN, expect}  (->mmap calls remap_pfn_range)",
                (a, r) -> mmap(a, true));
        kind(out, "remap_pfn_range", "{mm, area, offset: PAGES, pages: N | size, pfn: PFN, expect}", UserSteps::remap);
        kind(out, "mprotect", "{mm, area, offset: PAGES, pages: N | size, prot: r|rw|rx|rwx|none, expect}", UserSteps::mprotect);
        kind(out, "munmap", "{mm, area, offset: PAGES, pages: N | size, expect}", UserSteps::munmap);
        kind(out, "fork", "{mm, child}", UserSteps::fork);
        kind(out, "fault", "{mm, area, offset: PAGES}", UserSteps::fault);
        kind(out, "exit_mmap", "NAME", UserSteps::exit);
        kind(out, "user_ptdump", "{mm, area, offset, pages | size}  (the mm's page tables over the area, ptdump format)", UserSteps::ptdump);
        kind(out, "user_leaves", "{mm, area, offset, pages | size, pte: N, pmd: N, pud: N, deposits: N}  (expect the mapping's shape)",
                UserSteps::leaves);
        return out;
    }

    private static void kind(List<StepKind> out, String name, String usage, BiFunction<YNode, StepParser, Step> parse) {
        out.add(StepKind.of(name, usage, parse));
    }

    interface Body {
        void run(ScenarioContext c, State s);
    }

    private static Step step(String describe, Body body) {
        return new Step() {
            @Override
            public String describe() {
                return describe;
            }

            @Override
            public void run(ScenarioContext c) {
                try {
                    body.run(c, state(c));
                } catch (UserBug bug) {
                    throw new KernelBug(bug.getMessage());
                }
            }
        };
    }

    private static int prot(YNode a) {
        YNode p = a.get("prot");
        if (p == null) {
            return UserProt.VM_READ | UserProt.VM_WRITE;
        }
        String s = p.str("prot");
        switch (s) {
            case "none": return 0;
            case "r": return UserProt.VM_READ;
            case "rw": return UserProt.VM_READ | UserProt.VM_WRITE;
            case "rx": return UserProt.VM_READ | UserProt.VM_EXEC;
            case "rwx": return UserProt.VM_READ | UserProt.VM_WRITE | UserProt.VM_EXEC;
            default: throw p.error("bad prot '" + s + "': expected r, rw, rx, rwx or none");
        }
    }

    private static UserProt.Cache cache(YNode a) {
        YNode p = a.get("cache");
        if (p == null) {
            return UserProt.Cache.DEVICE;
        }
        String s = p.str("cache");
        for (UserProt.Cache c : UserProt.Cache.values()) {
            if (c.label.equals(s)) {
                return c;
            }
        }
        throw p.error("bad cache '" + s + "': expected normal, wc, device or uc");
    }

    private static String str(YNode a, String key) {
        return KernelSteps.req(a, key).str(key);
    }

    /** [offset, offset + length) of an area from offset/pages/size (default: the whole area). */
    private record Range(String mm, String area, long offsetPages, Long pages, Long size) {
        static Range parse(YNode a) {
            String mm = str(a, "mm");
            String area = str(a, "area");
            long off = a.get("offset") == null ? 0 : a.get("offset").integer("offset (pages)", 0, Long.MAX_VALUE >> 20);
            Long pages = a.get("pages") == null ? null : a.get("pages").integer("pages", 1, Long.MAX_VALUE >> 20);
            Long size = a.get("size") == null ? null : a.get("size").size("size");
            if (pages != null && size != null) {
                throw a.error("give pages or size, not both");
            }
            return new Range(mm, area, off, pages, size);
        }

        long[] resolve(State s) {
            long[] ar = s.area(mm, area);
            long ps = s.us.geo.pageSize;
            long start = ar[0] + offsetPages * ps;
            long len = pages != null ? pages * ps : size != null ? size : ar[1] - start;
            return new long[] {start, len};
        }

        String text() {
            return mm + "." + area + (offsetPages != 0 ? "+" + offsetPages : "") + (pages != null ? "[" + pages + "p]" : size != null ? "[" + size + "]" : "");
        }
    }

    private static Step mmAlloc(YNode a, StepParser r) {
        String n = a.isMap() ? str(a, "name") : a.str("mm_alloc's NAME");
        return step("mm_alloc " + n, (c, s) -> {
            Mm mm = s.us.mmAlloc();
            if (mm == null) {
                throw new StepFailure("mm_alloc failed: no mm id or no memory");
            }
            s.mms.put(n, mm);
            s.refs.put(mm.id, new UserRefModel(s.us.geo.pageShift));
        });
    }

    private static Step mmap(YNode a, boolean pfnDriver) {
        String kind = pfnDriver ? "mmap_pfn" : "mmap";
        if (pfnDriver) {
            a.allowKeys(kind, "mm", "name", "size", "addr", "prot", "cache", "pfn", "expect");
        } else {
            a.allowKeys(kind, "mm", "name", "size", "addr", "prot", "cache", "fault_handler", "pgoff", "expect");
        }
        String mmName = str(a, "mm");
        String name = str(a, "name");
        long size = KernelSteps.req(a, "size").size("size");
        long addr = a.get("addr") == null ? 0 : a.get("addr").size("addr");
        int prot = prot(a);
        UserProt.Cache cache = cache(a);
        boolean handler = !pfnDriver && a.get("fault_handler") != null && a.get("fault_handler").bool("fault_handler");
        long pfn = pfnDriver ? KernelSteps.req(a, "pfn").size("pfn") : a.get("pgoff") == null ? 0 : a.get("pgoff").size("pgoff");
        Integer exp = KernelSteps.expect(a);
        return step(String.format("%s %s.%s %s", kind, mmName, name, org.ptlab.arch.Sizes.human(size)), (c, s) -> {
            Mm mm = s.mm(mmName);
            UserRefModel ref = s.refs.get(mm.id);
            long got = pfnDriver ? s.us.mmapPfn(mm, addr, size, prot, cache, pfn) : s.us.mmap(mm, addr, size, prot, cache, handler, pfn);
            c.expect(got < 0 ? (int) got : 0, exp, kind);
            if (got >= 0) {
                long len = (size + s.us.geo.pageSize - 1) & -s.us.geo.pageSize;
                ref.mmap(got, len, prot, cache, handler, pfn);
                if (pfnDriver) {
                    ref.remap(got, pfn, len, mm.findVma(got).pageProt);
                }
                s.areas.computeIfAbsent(mmName, k -> new HashMap<>()).put(name, new long[] {got, got + len});
                c.out.printf("  %s: %s.%s at 0x%x-0x%x%n", kind, mmName, name, got, got + len);
            }
        });
    }

    private static Step remap(YNode a, StepParser r) {
        a.allowKeys("remap_pfn_range", "mm", "area", "offset", "pages", "size", "pfn", "expect");
        Range rg = Range.parse(a);
        long pfn = KernelSteps.req(a, "pfn").size("pfn");
        Integer exp = KernelSteps.expect(a);
        return step("remap_pfn_range " + rg.text(), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            Vma v = mm.findVma(x[0]);
            long prot = v == null ? 0 : v.pageProt;
            int rc = s.us.remapPfnRange(mm, x[0], pfn, x[1], prot);
            c.expect(rc, exp, "remap_pfn_range");
            if (rc == 0) {
                s.refs.get(mm.id).remap(x[0], pfn, x[1], prot);
            }
        });
    }

    private static Step mprotect(YNode a, StepParser r) {
        a.allowKeys("mprotect", "mm", "area", "offset", "pages", "size", "prot", "expect");
        Range rg = Range.parse(a);
        int prot = prot(a);
        Integer exp = KernelSteps.expect(a);
        return step("mprotect " + rg.text() + " " + UserProt.rwx(prot), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            int rc = s.us.mprotect(mm, x[0], x[1], prot);
            c.expect(rc, exp, "mprotect");
            if (rc == 0) {
                s.refs.get(mm.id).mprotect(x[0], x[1], prot);
            }
        });
    }

    private static Step munmap(YNode a, StepParser r) {
        a.allowKeys("munmap", "mm", "area", "offset", "pages", "size", "expect");
        Range rg = Range.parse(a);
        Integer exp = KernelSteps.expect(a);
        return step("munmap " + rg.text(), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            int rc = s.us.munmap(mm, x[0], x[1]);
            c.expect(rc, exp, "munmap");
            if (rc == 0) {
                s.refs.get(mm.id).munmap(x[0], x[1]);
            }
        });
    }

    private static Step fork(YNode a, StepParser r) {
        a.allowKeys("fork", "mm", "child", "expect");
        String parent = str(a, "mm");
        String child = str(a, "child");
        Integer exp = KernelSteps.expect(a);
        return step("fork " + parent + " -> " + child, (c, s) -> {
            Mm p = s.mm(parent);
            Mm ch = s.us.fork(p);
            c.expect(ch == null ? -Errno.ENOMEM : 0, exp, "fork");
            if (ch != null) {
                s.mms.put(child, ch);
                s.refs.put(ch.id, s.refs.get(p.id).fork());
                Map<String, long[]> pa = s.areas.getOrDefault(parent, Map.of());
                Map<String, long[]> ca = new HashMap<>();
                pa.forEach((k, v) -> ca.put(k, v.clone()));
                s.areas.put(child, ca);
            }
        });
    }

    private static Step fault(YNode a, StepParser r) {
        a.allowKeys("fault", "mm", "area", "offset", "expect");
        Range rg = Range.parse(a);
        Integer exp = KernelSteps.expect(a);
        return step("fault " + rg.text(), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            int rc = s.us.fault(mm, x[0]);
            c.expect(rc, exp, "fault");
        });
    }

    private static Step exit(YNode a, StepParser r) {
        String n = a.isMap() ? str(a, "name") : a.str("exit_mmap's NAME");
        return step("exit_mmap " + n, (c, s) -> {
            Mm mm = s.mm(n);
            s.us.exit(mm);
            s.mms.remove(n);
            s.refs.remove(mm.id);
            s.areas.remove(n);
        });
    }

    private static Step ptdump(YNode a, StepParser r) {
        a.allowKeys("user_ptdump", "mm", "area", "offset", "pages", "size");
        Range rg = Range.parse(a);
        return step("user_ptdump " + rg.text(), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            c.out.printf("  ---[ %s %s: 0x%x-0x%x ]---%n", rg.mm(), rg.area(), x[0], x[0] + x[1]);
            for (String l : org.ptlab.check.Ptdump.dump(s.us.pg, mm.pgd, x[0], x[0] + x[1], new org.ptlab.check.Ptdump.Marker[0]).split("\n")) {
                c.out.println("  " + l);
            }
        });
    }

    private static Step leaves(YNode a, StepParser r) {
        a.allowKeys("user_leaves", "mm", "area", "offset", "pages", "size", "pte", "pmd", "pud", "deposits");
        Range rg = Range.parse(a);
        Long pte = a.get("pte") == null ? null : a.get("pte").integer("pte", 0, Long.MAX_VALUE);
        Long pmd = a.get("pmd") == null ? null : a.get("pmd").integer("pmd", 0, Long.MAX_VALUE);
        Long pud = a.get("pud") == null ? null : a.get("pud").integer("pud", 0, Long.MAX_VALUE);
        Long dep = a.get("deposits") == null ? null : a.get("deposits").integer("deposits", 0, Long.MAX_VALUE);
        return step("user_leaves " + rg.text(), (c, s) -> {
            Mm mm = s.mm(rg.mm());
            long[] x = rg.resolve(s);
            long[] n = new long[4];
            TableWalk.walk(s.us.pg, mm.pgd, x[0], x[0] + x[1], new TableWalk.Visitor() {
                @Override
                public void leaf(long va, int level, long desc, long table, int idx) {
                    if (level >= 1) {
                        n[level]++;
                    }
                }
            });
            long deps = s.us.pg.counterValue(mm.deposited);
            String got = String.format("%d PTE, %d PMD, %d PUD leaves, %d deposited tables in %s", n[3], n[2], n[1], deps, mm);
            c.out.println("  " + got);
            if ((pte != null && pte != n[3]) || (pmd != null && pmd != n[2]) || (pud != null && pud != n[1]) || (dep != null && dep != deps)) {
                throw new StepFailure("found " + got + "; expected" + (pte != null ? " " + pte + " PTE" : "") + (pmd != null ? " " + pmd + " PMD" : "")
                        + (pud != null ? " " + pud + " PUD" : "") + (dep != null ? " " + dep + " deposits" : ""));
            }
        });
    }
}
