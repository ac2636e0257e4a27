package org.ptlab.kernel;

import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.KLock;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;

/**
 * A booted modelled arm64 kernel: swapper_pg_dir with its linear map as it stands once
 * {@code mark_rodata_ro()} has run, the DirectMap counters, the kernel locks, and the decisions
 * boot took ({@code force_pte_mapping()}, {@code linear_map_requires_bbml2}, the early KFENCE pool).
 *
 * <p>{@link #boot} follows {@code paging_init() -> map_mem()}, then
 * {@code mark_linear_text_alias_ro()}, {@code kfence_init_pool()}'s guard pages and
 * {@code linear_map_maybe_split_to_ptes()}.
 */
public final class Kernel {
    public final KernelConfig cfg;
    public final MemoryLayout mem;
    public final Geometry geo;
    public final Pgtable pg;
    public final TlbFlush tlb;
    public final DirectMap directMap;
    public final Mmu mmu;
    public final Split split;
    /** Lazy MMU mode per modelled task (lazy= variants); PageAttr, Split, Vmalloc and Collapse bracket their walks with it. */
    public final LazyMmu lazy;
    /** Coalescing of live kernel mappings (collapse= variants). */
    public final Collapse collapse;
    /** Free physical pages of mapped RAM (vmalloc backing, secretmem, hot-added blocks). */
    public final PageAlloc pageAlloc;
    public final Vmalloc vmalloc;
    public final PageAttr pageAttr;
    public final Hotplug hotplug;
    /** WARN_ON_ONCE() messages the modelled kernel printed, oldest first (at most 64 kept). */
    public final java.util.List<String> warnings = new java.util.ArrayList<>();
    public long warnCount;
    public final long swapper;
    public final int rootOwner;
    public final int linearOwner;
    /** PHYS_OFFSET (memstart_addr). */
    public final long physOffset;

    public final KLock pgtableSplitLock = new KLock("pgtable_split_lock");
    public final KLock initMmLock = new KLock("init_mm.mmap_lock");
    public final KLock fixmapLock = new KLock("fixmap_lock");

    /** can_set_direct_map() at boot. */
    public final boolean canSetDirectMap;
    /** force_pte_mapping() as map_mem decided it (boot CPU's view). */
    public final boolean forcePteMapping;
    /** linear_map_requires_bbml2. */
    public final boolean linearMapRequiresBbml2;
    /** The system capability BBML2_NOABORT once finalised (under bbml2=boot-cpu: the boot CPU's check). */
    public final boolean systemBbml2;
    /** Whether linear_map_maybe_split_to_ptes() repainted the linear map at boot. */
    public boolean repaintedAtBoot;
    /** Early KFENCE pool [kfencePool, kfencePool + kfencePoolSize) physical, or 0. */
    public long kfencePool;
    public long kfencePoolSize;
    /** Flags the image alias was painted with. */
    public final int aliasFlags;

    private Kernel(KernelConfig cfg, MemoryLayout mem) {
        this.cfg = cfg;
        this.mem = mem;
        this.geo = cfg.geometry();
        mem.validate(geo.pageSize);
        long mapped = mem.mappedBytes();
        long expected = (mapped >>> geo.shift(2)) + 16;
        this.pg = new Pgtable(geo, expected);
        this.tlb = new TlbFlush(pg, cfg.tlbRange);
        this.rootOwner = pg.owner("swapper_pg_dir");
        this.linearOwner = pg.owner("linear");
        this.swapper = pg.allocTable(geo.startLevel, rootOwner);
        this.directMap = new DirectMap(pg, cfg.variants);
        this.mmu = new Mmu(this);
        this.lazy = new LazyMmu(pg, cfg.variants, LazyMmu.MAX_TASKS);
        this.split = new Split(this);
        this.collapse = new Collapse(this);
        this.pageAlloc = new PageAlloc(geo.pageSize);
        this.vmalloc = new Vmalloc(this);
        this.pageAttr = new PageAttr(this);
        this.hotplug = new Hotplug(this);
        long align = 1L << Math.max(geo.granule.memstartShift, geo.granule == org.ptlab.arch.Granule.G64K ? 29 : 27);
        this.physOffset = mem.memory().get(0).start() & -align;
        long top = mem.memory().get(mem.memory().size() - 1).end();
        if (Long.compareUnsigned(top - physOffset, geo.pageEnd - geo.pageOffset) > 0) {
            throw new IllegalArgumentException(String.format(
                    "memory up to 0x%x does not fit in the %d-bit linear map (%d GiB from PHYS_OFFSET 0x%x)",
                    top, geo.vaBits, (geo.pageEnd - geo.pageOffset) >>> 30, physOffset));
        }
        KernelVersion v = cfg.version;
        boolean lateKfence = cfg.kfence && cfg.kfenceSampleInterval == 0;
        boolean realm = cfg.realm && v == KernelVersion.V7_2;
        // bbml2=boot-cpu (seed 003 v2's decision): the boot CPU's own check stands for the system.
        this.systemBbml2 = cfg.variants.is("bbml2", "boot-cpu") ? cfg.bootCpuBbml2() : cfg.systemBbml2();
        switch (v) {
            case V6_1:
                // can_set_direct_map() || IS_ENABLED(CONFIG_KFENCE)
                canSetDirectMap = cfg.rodata.full() || cfg.debugPagealloc;
                forcePteMapping = canSetDirectMap || cfg.kfence;
                linearMapRequiresBbml2 = false;
                break;
            case V6_12:
                canSetDirectMap = cfg.rodata.full() || cfg.debugPagealloc || lateKfence;
                forcePteMapping = canSetDirectMap;
                linearMapRequiresBbml2 = false;
                break;
            default:
                canSetDirectMap = cfg.rodata.full() || cfg.debugPagealloc || lateKfence || realm;
                forcePteMapping = cfg.debugPagealloc
                        || (!cfg.bootCpuBbml2() && (cfg.rodata.full() || lateKfence || realm));
                linearMapRequiresBbml2 = !forcePteMapping && canSetDirectMap;
                break;
        }
        int af = Mmu.NO_CONT_MAPPINGS;
        if (v.aliasHonoursForcePte() && forcePteMapping) {
            af |= Mmu.NO_BLOCK_MAPPINGS;
        }
        this.aliasFlags = af;
    }

    /** Boot a kernel: paint the linear map and run the boot-time steps that change it. */
    public static Kernel boot(KernelConfig cfg, MemoryLayout mem) {
        Kernel k = new Kernel(cfg, mem);
        k.pg.op("paging_init", 0, 0, true);
        k.mapMem();
        k.pg.op("paging_init", 0, 0, false);
        k.markLinearTextAliasRo();
        k.kfenceInitPool();
        k.linearMapMaybeSplitToPtes();
        k.initPageAlloc();
        k.hotplug.registerBoot();
        return k;
    }

    /** memblock_free_all(): mapped RAM minus the image, reserved ranges and the KFENCE pool is free. */
    private void initPageAlloc() {
        java.util.List<long[]> holes = new java.util.ArrayList<>();
        holes.add(new long[] {mem.stext(), mem.initBegin()});
        for (MemoryLayout.Range r : mem.reserved()) {
            holes.add(new long[] {r.start() & -geo.pageSize, (r.end() + geo.pageSize - 1) & -geo.pageSize});
        }
        if (kfencePool != 0) {
            holes.add(new long[] {kfencePool, kfencePool + kfencePoolSize});
        }
        holes.sort((a, b) -> Long.compare(a[0], b[0]));
        for (MemoryLayout.Range r : mem.mappedRanges()) {
            long cur = r.start();
            for (long[] h : holes) {
                if (h[1] <= cur || h[0] >= r.end() || h[1] <= h[0]) {
                    continue;
                }
                if (h[0] > cur) {
                    pageAlloc.addFree(cur, h[0]);
                }
                cur = Math.max(cur, h[1]);
            }
            if (cur < r.end()) {
                pageAlloc.addFree(cur, r.end());
            }
        }
    }

    /** A modelled WARN_ON_ONCE(): recorded, never fatal. */
    public void warn(String msg) {
        warnCount++;
        if (warnings.size() < 64) {
            warnings.add(msg);
        }
    }

    /**
     * {@code __set_pte(pte_offset_kernel(va), pte_modify(old))} of a PTE-mapped kernel VA: the
     * single-entry PTE updates of the zap/change/remap loops that run inside a caller's lazy MMU
     * section (seed 002's A and C). The store, then {@code queue_pte_barriers()} when the new
     * entry is valid. A KernelBug when va is not PTE mapped.
     */
    public void setKernelPte(long va, long set, long clear) {
        long table = swapper;
        for (int level = geo.startLevel; level < 3; level++) {
            long d = pg.read(table, geo.index(level, va));
            if (!Desc.isTable(d)) {
                throw new KernelBug(String.format("0x%x is not PTE mapped (%s is %s)", va, geo.levelName(level),
                        Desc.describe(level, d)));
            }
            table = Pgtable.tablePa(d);
        }
        int idx = geo.index(3, va);
        lazy.setEntry(table, idx, (pg.read(table, idx) & ~clear) | set);
    }

    /** is_kfence_address(): whether a linear VA lies in the early KFENCE pool. */
    public boolean inKfencePool(long va) {
        if (kfencePool == 0 || !isLinear(va)) {
            return false;
        }
        long pa = virtToPhys(va);
        return pa >= kfencePool && pa < kfencePool + kfencePoolSize;
    }

    // ------------------------------------------------------------------ address conversions

    public long physToVirt(long pa) {
        return pa - physOffset + geo.pageOffset;
    }

    public long virtToPhys(long va) {
        return va - geo.pageOffset + physOffset;
    }

    public boolean isLinear(long va) {
        return directMap.inLinear(va);
    }

    /** PTE_MAYBE_NG. */
    public boolean ng() {
        return cfg.kpti;
    }

    /** The linear map's memory protection: pgprot_tagged(PAGE_KERNEL). */
    public long linearProt() {
        return Desc.pgprotTagged(Desc.pageKernel(ng()));
    }

    // ------------------------------------------------------------------ map_mem

    private void mapMem() {
        int flags = Mmu.NO_EXEC_MAPPINGS;
        if (forcePteMapping) {
            flags |= Mmu.NO_BLOCK_MAPPINGS | Mmu.NO_CONT_MAPPINGS;
        }
        if (split.policy.noContWithRodataFull() && cfg.rodata.full()) {
            flags |= Mmu.NO_CONT_MAPPINGS; // seed 003 v2 painted without CONT whenever rodata_full
        }
        long poolStart = 0;
        long poolEnd = 0;
        if (cfg.version.hasEarlyKfencePool() && cfg.kfence && cfg.kfenceSampleInterval > 0) {
            kfencePoolSize = (255L + 1) * 2 * geo.pageSize; // (CONFIG_KFENCE_NUM_OBJECTS + 1) * 2 pages
            kfencePool = placeKfencePool(kfencePoolSize);
            poolStart = kfencePool;
            poolEnd = kfencePool + kfencePoolSize;
        }
        long ks = mem.stext();
        long ke = mem.initBegin();
        // memblock_mark_nomap(kernel image) and the KFENCE pool: mapped separately below.
        for (MemoryLayout.Range r : mem.mappedRanges()) {
            mapExcluding(r.start(), r.end(), ks, ke, poolStart, poolEnd, flags);
        }
        if (ke > ks) {
            check(mmu.createPgdMapping(swapper, ks, physToVirt(ks), ke - ks, Desc.pageKernel(ng()), aliasFlags, linearOwner));
        }
        if (poolEnd > poolStart) {
            check(mmu.createPgdMapping(swapper, poolStart, physToVirt(poolStart), poolEnd - poolStart, linearProt(),
                    Mmu.NO_BLOCK_MAPPINGS | Mmu.NO_CONT_MAPPINGS | Mmu.NO_EXEC_MAPPINGS, linearOwner));
        }
    }

    private void mapExcluding(long s, long e, long x1s, long x1e, long x2s, long x2e, int flags) {
        long[][] holes = {{x1s, x1e}, {x2s, x2e}};
        java.util.Arrays.sort(holes, (a, b) -> Long.compare(a[0], b[0]));
        long cur = s;
        for (long[] h : holes) {
            if (h[1] <= h[0] || h[1] <= cur || h[0] >= e) {
                continue;
            }
            if (h[0] > cur) {
                mapRange(cur, h[0], flags);
            }
            cur = Math.max(cur, h[1]);
        }
        if (cur < e) {
            mapRange(cur, e, flags);
        }
    }

    private void mapRange(long s, long e, int flags) {
        check(mmu.createPgdMapping(swapper, s, physToVirt(s), e - s, linearProt(), flags, linearOwner));
    }

    private static void check(int rc) {
        if (rc != 0) {
            throw new KernelBug("map_mem: __create_pgd_mapping failed with " + Errno.name(rc) + " (boot panics)");
        }
    }

    /** memblock_phys_alloc() top-down: the highest page-aligned range clear of reserved, image and nomap. */
    private long placeKfencePool(long size) {
        List<MemoryLayout.Range> ranges = mem.mappedRanges();
        for (int i = ranges.size() - 1; i >= 0; i--) {
            MemoryLayout.Range r = ranges.get(i);
            long cand = (r.end() - size) & -geo.pageSize;
            boolean moved = true;
            while (moved && cand >= r.start()) {
                moved = false;
                for (MemoryLayout.Range x : mem.reserved()) {
                    if (x.start() < cand + size && x.end() > cand) {
                        cand = (x.start() - size) & -geo.pageSize;
                        moved = true;
                    }
                }
                if (mem.stext() < cand + size && mem.initBegin() > cand) {
                    cand = (mem.stext() - size) & -geo.pageSize;
                    moved = true;
                }
            }
            if (cand >= r.start()) {
                return cand;
            }
        }
        throw new IllegalArgumentException("no room for the " + (size >> 10) + "K KFENCE pool below the reserved ranges");
    }

    // ------------------------------------------------------------------ after map_mem

    /** mark_linear_text_alias_ro(): the image alias becomes read-only in place. */
    private void markLinearTextAliasRo() {
        long ks = mem.stext();
        long ke = mem.initBegin();
        if (ke <= ks) {
            return;
        }
        pg.op("mark_linear_text_alias_ro", physToVirt(ks), physToVirt(ke), true);
        int extra = (aliasFlags & Mmu.NO_BLOCK_MAPPINGS);
        mmu.updateMappingProt(ks, physToVirt(ks), ke - ks, Desc.pageKernelRo(ng()), extra);
        pg.op("mark_linear_text_alias_ro", physToVirt(ks), physToVirt(ke), false);
    }

    /**
     * kfence_init_pool(): the first two pages and every second page after them (the right redzone
     * of each object) are made invalid with set_memory_valid(addr, 1, 0).
     */
    private void kfenceInitPool() {
        if (kfencePool == 0) {
            return;
        }
        long base = physToVirt(kfencePool);
        long pages = kfencePoolSize >>> geo.pageShift;
        for (long i = 0; i < pages; i++) {
            if (i < 2 || (i & 1) == 1) {
                pageAttr.setMemoryValid(base + (i << geo.pageShift), 1, false); // kfence_protect()
            }
        }
    }

    /**
     * linear_map_maybe_split_to_ptes(): if the linear map was painted with blocks because the boot
     * CPU has BBML2_NOABORT, but the finalised system capability is absent (a secondary CPU lacks
     * it), split everything but the image alias to PTEs under stop_machine and flush the TLB.
     */
    private void linearMapMaybeSplitToPtes() {
        if (!linearMapRequiresBbml2 || systemBbml2) {
            return;
        }
        pg.op("linear_map_maybe_split_to_ptes", geo.pageOffset, geo.pageEnd, true);
        long as = physToVirt(mem.stext());
        long ae = physToVirt(mem.initBegin());
        int rc;
        if (mem.initBegin() > mem.stext()) {
            rc = split.rangeSplitToPtes(geo.pageOffset, as);
            if (rc == 0) {
                rc = split.rangeSplitToPtes(ae, geo.pageEnd);
            }
        } else {
            rc = split.rangeSplitToPtes(geo.pageOffset, geo.pageEnd);
        }
        if (rc != 0) {
            throw new KernelBug("linear_map_maybe_split_to_ptes: split failed with " + Errno.name(rc) + " (boot panics)");
        }
        tlb.flushTlbKernelRange(geo.pageOffset, geo.pageEnd);
        repaintedAtBoot = true;
        pg.op("linear_map_maybe_split_to_ptes", geo.pageOffset, geo.pageEnd, false);
    }

    // ------------------------------------------------------------------ reports

    /** DirectMap bytes per kind, in {@link MapSize} order. */
    public long[] directMapBytes() {
        long[] out = new long[MapSize.VALUES.length];
        for (MapSize s : MapSize.VALUES) {
            out[s.ordinal()] = directMap.bytes(s);
        }
        return out;
    }

    /** Page-table pages of the linear map (not counting swapper_pg_dir itself). */
    public long linearTablePages() {
        return pg.pages(linearOwner);
    }

    /** Page-table bytes of the linear map. */
    public long linearTableBytes() {
        return linearTablePages() * geo.pageSize;
    }
}
