package org.ptlab.kernel;

import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.KLock;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;
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
        // arm64_kfence_can_set_direct_map() = !kfence_early_init (asm/kfence.h, 6.1/6.12/7.x):
        // KFENCE built in with a boot sample interval of 0 may be enabled late, at page granularity.
        boolean lateKfence = cfg.kfence && cfg.kfenceSampleInterval == 0;
        boolean realm = cfg.realm && v.atLeast(KernelVersion.V7_2);
        // bbml2=boot-cpu (seed 003 v2's decision): the boot CPU's own check stands for the system.
        this.systemBbml2 = cfg.variants.policy(Bbml2Policy.class, Bbml2Policy.FAMILY).systemHasBbml2(cfg);
        if (!v.hasBbml2BlockMapping()) {
            // 6.1 / 6.12 pageattr.c can_set_direct_map(): rodata_full, debug_pagealloc, late KFENCE;
            // map_mem() maps with pages when it holds; 6.1 also when crashkernel= is given
            // (mmu.c map_mem(): crash_mem_map && defer_reserve_crashkernel(), Debian has ZONE_DMA).
            canSetDirectMap = cfg.rodata.full() || cfg.debugPagealloc || lateKfence;
            forcePteMapping = canSetDirectMap || (v.crashkernelForcesPtes() && cfg.crashkernel);
            linearMapRequiresBbml2 = false;
        } else {
            // 7.2/7.3 pageattr.c can_set_direct_map(), mmu.c force_pte_mapping() (boot CPU's check
            // before capabilities are final), map_mem(): linear_map_requires_bbml2.
            canSetDirectMap = cfg.rodata.full() || cfg.debugPagealloc || lateKfence || realm;
            forcePteMapping = cfg.debugPagealloc
                    || (!cfg.bootCpuBbml2() && (cfg.rodata.full() || lateKfence || realm));
            linearMapRequiresBbml2 = !forcePteMapping && canSetDirectMap;
        }
        int af = Mmu.NO_CONT_MAPPINGS;
        if (v.aliasHonoursForcePte() && forcePteMapping) {
            af |= Mmu.NO_BLOCK_MAPPINGS;
        }
        if (v.mapsImageFirst()) {
            // 7.2 map_mem(): the alias is mapped with the linear map's own flags (CONT allowed).
            af = forcePteMapping ? Mmu.NO_BLOCK_MAPPINGS | Mmu.NO_CONT_MAPPINGS : 0;
        }
        this.aliasFlags = af;
    }

    /** Boot a kernel: paint the linear map and run the boot-time steps that change it. */
    public static Kernel boot(KernelConfig cfg, MemoryLayout mem) {
        Kernel k = new Kernel(cfg, mem);
        k.pg.op("paging_init", 0, 0, true);
        k.mapMem();
        k.pg.op("paging_init", 0, 0, false);
        // mm_core_init() -> kfence_init(); smp_cpus_done() -> setup_system_features() (repaint), then
        // mark_linear_text_alias_ro(); kernel_init() -> mark_rodata_ro() (7.2+: the data alias).
        k.kfenceInitPool();
        k.linearMapMaybeSplitToPtes();
        k.markLinearTextAliasRo();
        k.markRodataRo();
        k.initPageAlloc();
        k.hotplug.registerBoot();
        BootInitcalls.run(k); // do_initcalls(): the kernel's own boot-time calls (ptp_classifier_init's BPF JIT)
        if (cfg.afterBoot != null) {
            cfg.afterBoot.accept(k); // e.g. --from-capture: a real kernel's linear map instead of the painted one
        }
        return k;
    }

    /** memblock_free_all(): mapped RAM minus the image, reserved ranges and the KFENCE pool is free. */
    private void initPageAlloc() {
        java.util.List<long[]> holes = new java.util.ArrayList<>();
        holes.add(new long[] {mem.stext(), mem.initBegin()});
        if (mem.kernelEnd() > mem.initEnd() && mem.initEnd() != 0) {
            // the kernel's data and BSS [__init_end, _end) stay reserved (arm64_memblock_init() reserves
            // [_stext, _end); free_initmem() gives back only [__init_begin, __init_end))
            holes.add(new long[] {mem.initEnd(), mem.kernelEnd()});
        }
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

    /**
     * force_pte_mapping() as arch_add_memory() sees it at run time: 7.2+ reads the finalised system
     * capability (mm/mmu.c force_pte_mapping(), arch_add_memory()), so a BBML2 boot CPU with a
     * secondary lacking it maps hot-added memory with pages; 6.1/6.12 test can_set_direct_map().
     */
    public boolean forcePteMappingNow() {
        if (!cfg.version.hasBbml2BlockMapping()) {
            return canSetDirectMap;
        }
        boolean lateKfence = cfg.kfence && cfg.kfenceSampleInterval == 0;
        return cfg.debugPagealloc || (!systemBbml2 && (cfg.rodata.full() || lateKfence || (cfg.realm)));
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
        TableWalk.Entry e = new TableWalk.Entry();
        long d = TableWalk.leaf(pg, swapper, va, e);
        if (e.level != 3) {
            throw new KernelBug(String.format("0x%x is not PTE mapped (%s is %s)", va, geo.levelName(e.level),
                    Desc.describe(e.level, d)));
        }
        lazy.setEntry(e.table, e.idx, (d & ~clear) | set);
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
            // KFENCE_POOL_SIZE = (CONFIG_KFENCE_NUM_OBJECTS + 1) * 2 pages (include/linux/kfence.h)
            kfencePoolSize = (cfg.kfenceNumObjects + 1L) * 2 * geo.pageSize;
            kfencePool = placeKfencePool(kfencePoolSize);
            poolStart = kfencePool;
            poolEnd = kfencePool + kfencePoolSize;
        }
        long ks = mem.stext();
        long ke = mem.initBegin();
        if (cfg.version.mapsImageFirst()) {
            // 7.2 mmu.c map_mem(): arm64_kfence_map_pool() maps the early pool with pages first; then
            // the image alias [_text, __init_begin) and the data alias [__init_end, __bss_stop) with
            // the linear map's flags and prot, so their later permission changes need no split; then
            // every memory range over them (the creators keep what exists: tables stay, groups
            // holding a non-CONT entry get no CONT).
            if (poolEnd > poolStart) {
                mapRange(poolStart, poolEnd, Mmu.NO_BLOCK_MAPPINGS | Mmu.NO_CONT_MAPPINGS | Mmu.NO_EXEC_MAPPINGS);
            }
            if (ke > ks) {
                mapRange(ks, ke, flags);
            }
            long de = mem.bssStop(cfg.version, geo.pageSize);
            if (mem.initEnd() != 0 && de > mem.initEnd()) {
                mapRange(mem.initEnd(), de, flags);
            }
            for (MemoryLayout.Range r : mem.mappedRanges()) {
                mapRange(r.start(), r.end(), flags);
            }
            return;
        }
        // 6.1/6.12 mmu.c map_mem(): the image and the early pool are NOMAP while the memory is mapped,
        // then the alias [_stext (6.1) / _text (6.12), __init_begin) with NO_CONT_MAPPINGS only, then
        // the pool with pages (arm64_kfence_map_pool()).
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

    /**
     * memblock_phys_alloc(KFENCE_POOL_SIZE, PAGE_SIZE) as map_mem() runs it: top-down, so the
     * highest page-aligned range of memory clear of the kernel image. What /proc/iomem shows as
     * "reserved" near the top of RAM was allocated later (page tables, per-CPU areas, the pool
     * itself), so only the image is avoided.
     */
    private long placeKfencePool(long size) {
        List<MemoryLayout.Range> ranges = mem.mappedRanges();
        long imgStart = mem.stext() & -0x20_0000L; // the image starts at _text, 2M aligned
        long imgEnd = Math.max(mem.initBegin(), mem.kernelEnd());
        for (int i = ranges.size() - 1; i >= 0; i--) {
            MemoryLayout.Range r = ranges.get(i);
            long cand = (r.end() - size) & -geo.pageSize;
            if (imgEnd > imgStart && imgStart < cand + size && imgEnd > cand) {
                cand = (imgStart - size) & -geo.pageSize;
            }
            if (cand >= r.start()) {
                return cand;
            }
        }
        throw new IllegalArgumentException("no room for the " + (size >> 10) + "K KFENCE pool");
    }

    // ------------------------------------------------------------------ after map_mem

    /**
     * mark_linear_text_alias_ro(): update_mapping_prot() of the image alias to PAGE_KERNEL_RO.
     * 6.1/6.12: over [_stext|_text, __init_begin) with NO_CONT_MAPPINGS; 7.2+: flags 0 (7.2 mmu.c
     * update_mapping_prot()), whose creators keep the structure map_mem() built.
     */
    private void markLinearTextAliasRo() {
        long ks = mem.stext();
        long ke = mem.initBegin();
        if (ke <= ks) {
            return;
        }
        pg.op("mark_linear_text_alias_ro", physToVirt(ks), physToVirt(ke), true);
        if (cfg.version.mapsImageFirst()) {
            int rc = mmu.createPgdMapping(swapper, ks, physToVirt(ks), ke - ks, Desc.pageKernelRo(ng()), 0, -1);
            if (rc != 0) {
                throw new KernelBug("update_mapping_prot failed: " + Errno.name(rc));
            }
            tlb.flushTlbKernelRange(physToVirt(ks), physToVirt(ke));
        } else {
            int extra = (aliasFlags & Mmu.NO_BLOCK_MAPPINGS);
            mmu.updateMappingProt(ks, physToVirt(ks), ke - ks, Desc.pageKernelRo(ng()), extra);
        }
        pg.op("mark_linear_text_alias_ro", physToVirt(ks), physToVirt(ke), false);
    }

    /**
     * mark_rodata_ro()'s linear-map part (7.2+): the data alias [__init_end, __bss_stop) becomes
     * read-only (7.2 mmu.c: update_mapping_prot(..., PAGE_KERNEL_RO)) or invalid (7.3 mmu.c:
     * mark_linear_data_alias_valid(false), i.e. set_memory_valid()). Runs only with rodata enabled
     * (init/main.c mark_readonly()).
     */
    private void markRodataRo() {
        long ds = mem.initEnd();
        long de = mem.bssStop(cfg.version, geo.pageSize);
        if (!cfg.version.mapsImageFirst() || ds == 0 || de <= ds || !cfg.rodata.enabled()) {
            return;
        }
        if (cfg.version.atLeast(KernelVersion.V7_3)) {
            pageAttr.setMemoryValid(physToVirt(ds), (int) ((de - ds) >>> geo.pageShift), false);
            return;
        }
        pg.op("mark_rodata_ro", physToVirt(ds), physToVirt(de), true);
        int rc = mmu.createPgdMapping(swapper, ds, physToVirt(ds), de - ds, Desc.pageKernelRo(ng()), 0, -1);
        if (rc != 0) {
            throw new KernelBug("update_mapping_prot failed: " + Errno.name(rc));
        }
        tlb.flushTlbKernelRange(physToVirt(ds), physToVirt(de));
        pg.op("mark_rodata_ro", physToVirt(ds), physToVirt(de), false);
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
        // linear_map_split_to_ptes() keeps [lm_alias(_stext), lm_alias(__init_begin)) (7.2 mmu.c).
        long as = physToVirt(mem.stextSym(cfg.version));
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
