package org.ptlab.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.source.AccessTrace;
import org.ptlab.user.Mm;
import org.ptlab.user.UserConfig;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;
import org.ptlab.user.Vma;

/**
 * Where a trace is replayed: a VA range [va, va + size) mapped by the model's own code in some
 * table tree, the TTBR0/TTBR1 roots the hardware walks, and the placement of the trace's addresses
 * in the range (generated offsets at {@link #va}; recorded VAs packed by {@link AddressMapper} in
 * chunks of {@link #chunk} bytes, the largest leaf the target can map, so every alignment that
 * matters for its leaves is kept). A sealed interface, one record per kind:
 *
 * <ul>
 *   <li>{@code region}: a standalone {@link Region} (its own tree below TTBR0, any leaf kind);
 *   <li>{@code linear}: a booted kernel's linear map over the RAM above the image, walked through
 *       TTBR1 = swapper_pg_dir; PTE-mapped ({@code --bbml2 none} with rodata=full) or block-mapped
 *       ({@code --bbml2 noabort}: whatever blocks {@code map_mem} lays down);
 *   <li>{@code vmalloc}: an area of the booted kernel's vmalloc space from
 *       {@code __vmalloc_node_range} ({@link org.ptlab.kernel.Vmalloc#vmalloc}), with order-0
 *       pages (PTEs) or, as {@code vmalloc_huge()} asks with {@code VM_ALLOW_HUGE_VMAP}, with
 *       CONT_PTE-order pages (contiguous PTEs) or PMD-order pages (PMD blocks); TTBR1 =
 *       swapper_pg_dir;
 *   <li>{@code user}: a user mm (own root and ASID) with one {@code MAP_SHARED} VMA whose driver calls
 *       {@code remap_pfn_range()} over device memory at {@link Region#DEFAULT_PA}, with PTEs only, PMD
 *       leaves, or PUD leaves (the user model has no anonymous memory); TTBR0 = the mm's pgd.
 * </ul>
 */
public sealed interface ReplayTarget
        permits ReplayTarget.RegionTarget, ReplayTarget.LinearTarget, ReplayTarget.VmallocTarget, ReplayTarget.UserTarget {
    enum Kind {
        REGION, LINEAR, VMALLOC, USER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--target '" + s + "': expected region, linear, vmalloc or user");
        }
    }

    /** The linear target's mapping label for the block-mapped boot. */
    String BLOCK = "block";

    Kind kind();

    /** The mapping asked for: a leaf size label ("4K", "2M") or {@link #BLOCK}. */
    String mapping();

    Pgtable pg();

    long ttbr0();

    long ttbr1();

    /** The range trace addresses are placed in. */
    long va();

    long size();

    /** AddressMapper chunk for recorded traces. */
    long chunk();

    /** Page-table bytes of the target's mapping (linear: the whole linear map's). */
    long tableBytes();

    /** One line: what the range is and who mapped it. */
    String detail();

    /** The booted kernel (linear, vmalloc), else null. */
    default Kernel kernel() {
        return null;
    }

    /** A standalone {@link Region} in its own tree below TTBR0. */
    record RegionTarget(String mapping, Pgtable pg, long ttbr0, long ttbr1, long va, long size, long chunk, long tableBytes, String detail,
            Region region) implements ReplayTarget {
        @Override
        public Kind kind() {
            return Kind.REGION;
        }
    }

    /** A booted kernel's linear map, walked through TTBR1 = swapper_pg_dir. */
    record LinearTarget(String mapping, Pgtable pg, long ttbr0, long ttbr1, long va, long size, long chunk, long tableBytes, String detail,
            Kernel kernel) implements ReplayTarget {
        @Override
        public Kind kind() {
            return Kind.LINEAR;
        }
    }

    /** A vmalloc area of a booted kernel. */
    record VmallocTarget(String mapping, Pgtable pg, long ttbr0, long ttbr1, long va, long size, long chunk, long tableBytes, String detail,
            Kernel kernel, VmStruct area) implements ReplayTarget {
        @Override
        public Kind kind() {
            return Kind.VMALLOC;
        }
    }

    /** A user mm with one remap_pfn_range VMA. */
    record UserTarget(String mapping, Pgtable pg, long ttbr0, long ttbr1, long va, long size, long chunk, long tableBytes, String detail,
            UserSpace user, Mm mm, Vma vma) implements ReplayTarget {
        @Override
        public Kind kind() {
            return Kind.USER;
        }
    }

    // ------------------------------------------------------------------ what each kind can map

    /**
     * The leaf kind a mapping label asks for on a target, or null for the linear target's
     * {@link #BLOCK}; an IllegalArgumentException (one line) when the target cannot honour it.
     */
    static MapSize leafFor(Kind kind, String mapping, Geometry geo) {
        String m = mapping.trim();
        switch (kind) {
            case LINEAR:
                if (m.equalsIgnoreCase(BLOCK)) {
                    return null;
                }
                if (m.equalsIgnoreCase(Sizes.label(geo.pageSize)) || m.equalsIgnoreCase("PTE")) {
                    return MapSize.PTE;
                }
                throw new IllegalArgumentException("--target linear --mapping " + mapping + ": the linear map's leaf sizes are map_mem's choice;"
                        + " expected " + Sizes.label(geo.pageSize) + " (PTE-mapped, --bbml2 none) or block (--bbml2 noabort)");
            case REGION:
                return parse(kind, mapping, geo, List.of(geo.mapSizes()), "");
            case VMALLOC:
                return parse(kind, mapping, geo, List.of(MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD),
                        "vmalloc maps with PTEs, contiguous PTEs or PMD blocks (VM_ALLOW_HUGE_VMAP)");
            default:
                List<MapSize> user = new ArrayList<>(List.of(MapSize.PTE, MapSize.PMD));
                if (geo.hasPud()) {
                    user.add(MapSize.PUD);
                }
                return parse(kind, mapping, geo, user, "remap_pfn_range maps with PTE, PMD" + (geo.hasPud() ? " or PUD" : "") + " leaves");
        }
    }

    private static MapSize parse(Kind kind, String s, Geometry geo, List<MapSize> allowed, String why) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        MapSize found = null;
        for (MapSize m : geo.mapSizes()) {
            if (m.name().equals(t.replace('-', '_')) || Sizes.label(geo.size(m)).equalsIgnoreCase(t)) {
                found = m;
            }
        }
        if (found != null && allowed.contains(found)) {
            return found;
        }
        StringBuilder ok = new StringBuilder();
        for (MapSize m : allowed) {
            ok.append(ok.length() == 0 ? "" : ", ").append(Sizes.label(geo.size(m)));
        }
        if (found == null) {
            throw new IllegalArgumentException("mapping size '" + s + "': expected one of " + ok + " for " + geo);
        }
        throw new IllegalArgumentException("--target " + kind.label() + " --mapping " + s + ": " + why + "; expected " + ok);
    }

    /** The mappings a target compares when none are given. */
    static List<String> defaultMappings(Kind kind, Geometry geo) {
        String small = Sizes.label(geo.pageSize);
        return kind == Kind.LINEAR ? List.of(small, BLOCK) : List.of(small, Sizes.label(geo.entrySize(2)));
    }

    /** The AddressMapper chunk of a target: its largest leaf (region and user: PUD; vmalloc: PMD). */
    static long chunkFor(Kind kind, Geometry geo) {
        switch (kind) {
            case VMALLOC:
                return geo.entrySize(2);
            case REGION:
                return 1L << 30;
            default:
                return geo.hasPud() ? geo.entrySize(1) : geo.entrySize(2);
        }
    }

    // ------------------------------------------------------------------ building

    /** A standalone region of the given size mapped with one leaf kind. */
    static RegionTarget region(Geometry geo, long size, MapSize leaf) {
        Region r = Region.standalone(geo, size, leaf);
        return new RegionTarget(Sizes.label(geo.size(leaf)), r.pg, r.root, 0, r.va, r.size, 1L << 30,
                r.tablePages() * geo.pageSize, String.format("region 0x%x+%s in its own table tree below TTBR0", r.va, Sizes.label(r.size)),
                r);
    }

    /**
     * The linear map of a kernel booted with base's configuration on mem bytes of RAM, PTE-mapped
     * (CPUs without BBML2_NOABORT) or block-mapped (with it); the target range is the RAM above the
     * kernel image from the next 2M boundary, in whole gigabytes when there is one.
     */
    static LinearTarget linear(KernelConfig base, long mem, boolean blocks) {
        KernelConfig cfg = base.copy();
        cfg.bbml2Override = blocks;
        Kernel k = Kernel.boot(cfg, MemoryLayout.ofSize(mem));
        long lo = (k.mem.initBegin() + (2L << 20) - 1) & -(2L << 20);
        long hi = k.mem.memory().get(k.mem.memory().size() - 1).end();
        long size = (hi - lo) & -(1L << 30);
        if (size <= 0) {
            size = (hi - lo) & -(2L << 20);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("--mem " + Sizes.label(mem) + " leaves no RAM above the kernel image to replay on");
        }
        long baseVa = k.physToVirt(lo);
        long chunk = Math.min(1L << 30, Long.highestOneBit(size));
        return new LinearTarget(blocks ? BLOCK : Sizes.label(k.geo.pageSize), k.pg, 0, k.swapper, baseVa, size, chunk,
                k.linearTableBytes(), String.format("linear map 0x%x+%s (RAM above the image) of %s; TTBR1 = swapper_pg_dir", baseVa,
                        Sizes.label(size), k.cfg.summary()),
                k);
    }

    /**
     * A vmalloc area of at least size bytes (rounded up to the leaf) in a kernel booted with base's
     * configuration on mem bytes of RAM: {@code vmalloc()} for PTEs, {@code vmalloc_huge()}'s
     * {@code VM_ALLOW_HUGE_VMAP} with pages of the CONT_PTE or PMD order for contiguous PTEs or PMD
     * blocks.
     */
    static VmallocTarget vmalloc(KernelConfig base, long mem, long size, MapSize leaf) {
        KernelConfig cfg = base.copy();
        Geometry geo = cfg.geometry();
        leafFor(Kind.VMALLOC, Sizes.label(geo.size(leaf)), geo);
        Kernel k = Kernel.boot(cfg, MemoryLayout.ofSize(mem));
        long leafSize = geo.size(leaf);
        int order = Long.numberOfTrailingZeros(leafSize) - geo.pageShift;
        int flags = leaf == MapSize.PTE ? 0 : VmStruct.VM_ALLOW_HUGE_VMAP;
        long want = (size + leafSize - 1) & -leafSize;
        VmStruct a = k.vmalloc.vmalloc(want, flags, order, false, "ptlab replay");
        if (a == null) {
            throw new IllegalArgumentException(String.format("--target vmalloc: vmalloc of %s with order-%d pages failed (-ENOMEM) on %s of RAM:"
                    + " give a larger --mem", Sizes.label(want), order, Sizes.label(mem)));
        }
        long mapped = a.mappedSize(geo.pageSize);
        return new VmallocTarget(Sizes.label(leafSize), k.pg, 0, k.swapper, a.addr, mapped, chunkFor(Kind.VMALLOC, geo),
                k.pg.pages(k.vmalloc.owner) * geo.pageSize,
                String.format("vmalloc area [0x%x-0x%x) %s, %s, order-%d pages, of %s; TTBR1 = swapper_pg_dir", a.addr, a.addr + mapped,
                        Sizes.label(mapped), flags == 0 ? "vmalloc()" : "vmalloc_huge() VM_ALLOW_HUGE_VMAP", order, k.cfg.summary()),
                k, a);
    }

    /**
     * A user mm with one VMA of at least size bytes (rounded up to the leaf) whose driver maps device
     * memory with {@code remap_pfn_range()}, PMD and PUD PFN maps enabled up to the leaf asked for.
     */
    static UserTarget user(Geometry geo, long size, MapSize leaf) {
        return user(geo, size, leaf, false);
    }

    /** As {@link #user(Geometry, long, MapSize)}; exec: the VMA is also VM_EXEC (a replay with instruction fetches). */
    static UserTarget user(Geometry geo, long size, MapSize leaf, boolean exec) {
        leafFor(Kind.USER, Sizes.label(geo.size(leaf)), geo);
        long leafSize = geo.size(leaf);
        long len = (size + leafSize - 1) & -leafSize;
        Pgtable pg = new Pgtable(geo, Math.max(16, (len >>> geo.shift(2)) + 16));
        UserConfig c = new UserConfig();
        c.pmdPfnmap = leaf.level() <= 2;
        c.pudPfnmap = leaf.level() <= 1;
        UserSpace us = new UserSpace(pg, new TlbFlush(pg, false), c);
        Mm mm = us.mmAlloc();
        int prot = UserProt.VM_READ | UserProt.VM_WRITE | (exec ? UserProt.VM_EXEC : 0);
        long va = us.mmapPfn(mm, 0, len, prot, UserProt.Cache.NORMAL, Region.DEFAULT_PA >>> geo.pageShift);
        if (va < 0) {
            throw new IllegalArgumentException("--target user: mmap of " + Sizes.label(len) + " failed (" + va + ")");
        }
        Vma v = mm.findVma(va);
        return new UserTarget(Sizes.label(leafSize), pg, mm.pgd, 0, va, len, chunkFor(Kind.USER, geo),
                pg.pages(mm.owner) * geo.pageSize,
                String.format("mm %d (ASID %d), VMA %s: remap_pfn_range of device memory at 0x%x (%s); TTBR0 = the mm's pgd", mm.id, mm.asid, v,
                        Region.DEFAULT_PA, c),
                us, mm, v);
    }

    // ------------------------------------------------------------------ using it

    /**
     * One modelled CPU with checks off, its TTBRs at the target's roots. For the user target it is
     * attached to the tables, so that the TLB maintenance of the fault path ({@link #faults}) reaches
     * it.
     */
    default HwModel hw(CoreConfig core) {
        CoreConfig c = core;
        if (kernel() != null) {
            c = core.copy();
            c.bbml2NoAbort = kernel().cfg.systemBbml2();
        }
        HwModel hw = new HwModel(pg(), c, 1).checks(false);
        hw.setRoots(ttbr0(), ttbr1());
        if (this instanceof UserTarget u) {
            hw.switchMm(0, u.mm().pgd, u.mm().asid);
            hw.attach();
        }
        return hw;
    }

    /**
     * The fault path of the target, or null when its mapping never faults: the user mapping's leaves
     * start clean (PTE_RDONLY with PTE_WRITE) and the hardware model has no hardware dirty-bit
     * management, so the first store to each leaf takes a permission fault that
     * {@link UserSpace#writeFault} serves (dirty, flush_tlb_page); the store is then retried.
     */
    default Replay.FaultHandler faults(HwModel hw) {
        if (!(this instanceof UserTarget u)) {
            return null;
        }
        return (v, type) -> type == HwModel.STORE && hw.lastFault == 2 && u.user().writeFault(u.mm(), v) == 0;
    }

    /** Replay a recorded trace packed into the target on CPU 0 of hw; returns the accesses replayed. */
    default long replay(HwModel hw, AccessTrace trace, long limit) throws java.io.IOException {
        return Replay.run(hw, 0, trace, packed(), limit, faults(hw));
    }

    /** Generated offsets at the base of the range. */
    default Replay.Placement offsets() {
        return Replay.at(va());
    }

    /** Recorded VAs packed into the range by chunks (a fresh mapper: first touch starts again). */
    default Replay.Placement packed() {
        return Replay.mapped(new AddressMapper(va(), size(), chunk()));
    }

    /** Leaves mapping the range, by {@link MapSize} ordinal (a contiguous run counts each entry). */
    default long[] leaves() {
        long[] n = new long[MapSize.VALUES.length];
        TableWalk.walk(pg(), va() < 0 ? ttbr1() : ttbr0(), va(), va() + size(), new TableWalk.Visitor() {
            @Override
            public void leaf(long a, int level, long desc, long table, int idx) {
                if (Desc.valid(desc)) {
                    n[MapSize.of(level, (desc & Desc.CONT) != 0).ordinal()]++;
                }
            }

            @Override
            public void leafRun(long a, int level, long first, long step, int count, long table, long entrySize) {
                if (Desc.valid(first)) {
                    n[MapSize.of(level, (first & Desc.CONT) != 0).ordinal()] += count;
                }
            }
        });
        return n;
    }

    /** The leaves as text, largest first: "3 PUD", "1024 PMD + 16 CONT_PTE". */
    default String leafSummary() {
        long[] n = leaves();
        StringBuilder b = new StringBuilder();
        for (int i = n.length - 1; i >= 0; i--) {
            if (n[i] != 0) {
                b.append(b.length() == 0 ? "" : " + ").append(String.format("%,d %s", n[i], MapSize.VALUES[i]));
            }
        }
        return b.length() == 0 ? "no leaves" : b.toString();
    }
}
