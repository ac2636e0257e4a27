package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;

/** The built-in behaviours of the collapse family, one class each. */
public final class CollapsePolicies {
    private CollapsePolicies() {}

    /** collapse=none (default): upstream arm64 never coalesces the linear map. */
    public static final class None implements CollapsePolicy {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public String description() {
            return "upstream arm64 today: the linear map only ever splits, nothing coalesces it again";
        }

        @Override
        public boolean allowsHugeVmapAreas() {
            return false;
        }
    }

    /** collapse=seed001: seed 001 RFC 6/6 as posted. */
    public static final class Seed001 implements CollapsePolicy {
        @Override
        public String name() {
            return "seed001";
        }

        @Override
        public String description() {
            return "seed 001 RFC 6/6 as posted: on set_memory_ro of a VM_ALLOW_HUGE_VMAP area, collapse the PTE table at the linear alias of area->pages[0] into a PMD, under pgtable_split_lock only";
        }

        @Override
        public void afterAliasLoop(Collapse c, VmStruct area, long set, long clear) {
            if (set == Desc.RDONLY && area.has(VmStruct.VM_ALLOW_HUGE_VMAP) && area.nrPages > 0) {
                c.beginOnBehalfOf(area);
                c.tryCollapseKernelPmd(c.kernel().physToVirt(area.pages[0]));
                c.endOnBehalfOf();
            }
        }
    }

    /**
     * collapse=order-aware: per backing chunk of {@code area->page_order}, the linear alias and
     * (after a change) the vmalloc mapping of the chunk, each no larger than the chunk (so only
     * memory the area owns is touched), under pgtable_split_lock.
     */
    public static final class OrderAware implements CollapsePolicy {
        @Override
        public String name() {
            return "order-aware";
        }

        @Override
        public String description() {
            return "per backing chunk of area->page_order: collapse the linear alias and the vmalloc mapping, each no larger than the chunk (Ryan's review of seed 001)";
        }

        @Override
        public void afterChange(Collapse c, VmStruct area) {
            collapseChunks(c, area, true);
        }

        /**
         * The per-page set_direct_map_*_noflush calls of vm_reset_perms split the alias to PTEs;
         * the area still owns its pages until they are freed right after, so each chunk's alias
         * is coalesced again.
         */
        @Override
        public void afterResetPerms(Collapse c, VmStruct area) {
            collapseChunks(c, area, false);
        }

        private static void collapseChunks(Collapse c, VmStruct area, boolean vmallocToo) {
            Kernel k = c.kernel();
            Geometry geo = k.geo;
            if (!area.has(VmStruct.VM_ALLOW_HUGE_VMAP) || area.nrPages == 0) {
                return;
            }
            long chunk = geo.pageSize << area.pageOrder;
            if (chunk < geo.contPteSize || !k.systemBbml2) {
                return;
            }
            long end = area.addr + area.mappedSize(geo.pageSize);
            k.pg.op("collapse_vm_area", area.addr, end, true);
            k.pg.lock(k.pgtableSplitLock);
            c.beginOnBehalfOf(area);
            int step = 1 << area.pageOrder;
            for (int i = 0; i < area.nrPages; i += step) {
                long la = k.physToVirt(area.pages[i]);
                if (c.linearCollapseAllowed()) {
                    c.collapseRange(la, chunk, chunk);
                }
                if (vmallocToo) {
                    c.collapseRange(area.addr + (long) i * geo.pageSize, chunk, chunk);
                }
            }
            c.endOnBehalfOf();
            k.pg.unlock(k.pgtableSplitLock);
            k.pg.op("collapse_vm_area", area.addr, end, false);
        }
    }

    /**
     * collapse=x86: {@code cpa_collapse_large_pages()} (41d88484c71c) after a set_memory_rox(addr,
     * numpages): for each PMD region from addr & PMD_MASK to the end of the range, collapse the PMD
     * and if that worked the PUD containing it; then, if anything collapsed, one flush_tlb_all()
     * and the old tables freed. Only the call's own addresses (x86 collapses in the primary CPA only).
     */
    public static final class X86 implements CollapsePolicy {
        @Override
        public String name() {
            return "x86";
        }

        @Override
        public String description() {
            return "x86 since ~v6.14 (cpa_collapse_large_pages): on set_memory_rox only, PMD then PUD of the call's own range, flush_tlb_all, then free the tables";
        }

        @Override
        public void afterRox(Collapse c, long addr, long end) {
            Kernel k = c.kernel();
            Geometry geo = k.geo;
            if (!k.systemBbml2) {
                return;
            }
            long pmd = geo.entrySize(2);
            k.pg.op("cpa_collapse_large_pages", addr, end, true);
            k.pg.lock(k.pgtableSplitLock);
            List<Long> tables = new ArrayList<>();
            c.beginOnBehalfOf(k.vmalloc.find(addr));
            k.lazy.enter();
            for (long a = addr & -pmd; Long.compareUnsigned(a, end) < 0; a += pmd) {
                if (k.isLinear(a) && (!c.linearCollapseAllowed() || !c.linearRangeMayGrow(a, pmd))) {
                    continue;
                }
                long[] e = c.entry(2, a);
                if (e == null || !c.collapseTable(2, e[0], (int) e[1], a, tables)) {
                    continue;
                }
                if (geo.blockAllowed(1) && geo.startLevel <= 1) {
                    long pud = geo.entrySize(1);
                    long[] u = c.entry(1, a);
                    if (u != null && (!k.isLinear(a) || c.linearRangeMayGrow(a & -pud, pud))) {
                        c.collapseTable(1, u[0], (int) u[1], a & -pud, tables);
                    }
                }
            }
            k.lazy.leave();
            c.endOnBehalfOf();
            if (!tables.isEmpty()) {
                k.tlb.flushTlbAll();
                for (long t : tables) {
                    c.freeTable(t);
                }
            }
            k.pg.unlock(k.pgtableSplitLock);
            k.pg.op("cpa_collapse_large_pages", addr, end, false);
        }
    }

    /** collapse=background: ours, a khugepaged-like scanner ({@link Collapse#scan}) with per-region exclusion. */
    public static final class Background implements CollapsePolicy {
        @Override
        public String name() {
            return "background";
        }

        @Override
        public String description() {
            return "ours: a khugepaged-like scanner coalescing whatever became uniform (contPTE, PMD, contPMD, PUD), excluded per region against set_memory_*";
        }

        @Override
        public boolean regionExclusion() {
            return true;
        }

        @Override
        public boolean hasDaemon() {
            return true;
        }

        /** Each region as far as it goes: contPTE, PMD, contPMD, PUD. */
        @Override
        public int scan(Collapse c, long bytes, boolean all) {
            return c.scanRegions(bytes, all, r -> c.collapseRange(r, c.regionSize, Long.MAX_VALUE));
        }
    }
}
