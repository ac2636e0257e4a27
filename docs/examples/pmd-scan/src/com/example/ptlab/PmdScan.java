package com.example.ptlab;

import org.ptlab.kernel.Collapse;
import org.ptlab.kernel.CollapsePolicy;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MemoryLayout;

/**
 * collapse=pmd-scan: a collapse daemon that only ever makes PMD blocks again. Each pass looks at
 * the linear-map regions some set_memory_* changed since the last pass and, holding the region's
 * exclusion lock and pgtable_split_lock (Collapse.scanRegions takes both), replaces every PTE table
 * that became uniform by one PMD block. contPTE and contPMD groups and PUD blocks are left alone.
 */
public final class PmdScan implements CollapsePolicy {

    public PmdScan() {
    }

    @Override
    public String name() {
        return "pmd-scan";
    }

    @Override
    public String description() {
        return "example (docs/extending.md): a daemon collapsing uniform PTE tables of the linear map into PMD blocks, "
                + "excluded per region against set_memory_*";
    }

    /** update_range_prot takes the region locks of its range, so a pass never lands inside a set_memory_*. */
    @Override
    public boolean regionExclusion() {
        return true;
    }

    /** Workloads that simulate time (ptlab study degradation, the mixed workload) run the daemon periodically. */
    @Override
    public boolean hasDaemon() {
        return true;
    }

    @Override
    public int scan(Collapse c, long bytes, boolean all) {
        return c.scanRegions(bytes, all, region -> pmds(c, region));
    }

    /** Collapse every uniform PTE table of one region (both locks held by scanRegions). */
    private static int pmds(Collapse c, long region) {
        Kernel k = c.kernel();
        long pmd = k.geo.entrySize(2);
        long end = region + c.regionSize;
        long top = 0;
        for (MemoryLayout.Range r : k.mem.memory()) {
            top = Math.max(top, r.end());
        }
        if (Long.compareUnsigned(k.physToVirt(top), end) < 0) {
            end = k.physToVirt(top); // no RAM above: nothing mapped to look at
        }
        int made = 0;
        k.lazy.enter(); // as the kernel's own collapses: the block writes' barriers at the leave
        for (long va = region; Long.compareUnsigned(va, end) < 0; va += pmd) {
            long[] e = c.entry(2, va); // {PMD table, index}, or null when a level above is no table
            if (e != null && c.linearRangeMayGrow(va, pmd)
                    && c.collapseTable(2, e[0], (int) e[1], va, null)) {
                made++;
            }
        }
        k.lazy.leave();
        return made;
    }
}
