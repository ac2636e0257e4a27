package org.ptlab.check;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.kernel.Collapse;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;

/**
 * Whether each collapse the kernel made was one it was entitled to make ("collapse-scope"). A
 * collapse rewrites every entry of the range it coalesces, while {@code set_memory_*} of other
 * objects walk those entries without a lock (pageattr's lockless walk); so a collapse is safe only
 * over memory whose attributes nobody else can change meanwhile:
 *
 * <ul>
 *   <li>made for a vmalloc area (collapse=seed001, order-aware, x86): a linear-map range must consist
 *       only of the area's own backing pages, a vmalloc range must lie inside the area;
 *   <li>made by the background scanner: the scanner must hold the range's exclusion lock (which
 *       every set_memory_* takes too).
 * </ul>
 * A {@code WARN} printed by a collapse path ("collapse-warn") is reported too. Sequentially the
 * attributes stay right either way (every collapse checks uniformity); a scope violation is the
 * window in which a concurrent set_memory_* of the other owner is lost (seed 001, Ryan).
 */
public final class CollapseAudit {
    private CollapseAudit() {}

    /** Audit the collapses made since the last call (and forget them). */
    public static List<Violation> drain(Kernel k) {
        List<Violation> out = new ArrayList<>();
        Collapse c = k.collapse;
        long ps = k.geo.pageSize;
        for (Collapse.Event e : c.log) {
            if (out.size() >= 16) {
                break;
            }
            VmStruct a = e.area();
            if (a == null) {
                if (!e.regionLocked()) {
                    out.add(new Violation("collapse-scope", String.format("%s: %s collapse of [0x%x, 0x%x) without the region's exclusion lock",
                            e.variant(), e.to(), e.va(), e.va() + e.size()), e.va(), e.va() + e.size()));
                }
                continue;
            }
            if (k.isLinear(e.va())) {
                long foreign = 0;
                long firstForeign = 0;
                long pa0 = k.virtToPhys(e.va());
                java.util.Set<Long> own = new java.util.HashSet<>();
                for (long p : e.areaPages()) {
                    own.add(p);
                }
                for (long off = 0; off < e.size(); off += ps) {
                    if (!own.contains(pa0 + off)) {
                        if (foreign++ == 0) {
                            firstForeign = pa0 + off;
                        }
                    }
                }
                if (foreign > 0) {
                    out.add(new Violation("collapse-scope", String.format(
                            "%s collapsed the linear map [0x%x, 0x%x) into a %s for %s (page order %d), but %d of its %d pages (first PA 0x%x) are not"
                                    + " that area's: their owners' set_memory_* take no lock against this collapse",
                            e.variant(), e.va(), e.va() + e.size(), e.to(), a.caller, a.pageOrder, foreign, e.size() / ps, firstForeign),
                            e.va(), e.va() + e.size()));
                }
            } else if (Long.compareUnsigned(e.va(), a.addr) < 0 || Long.compareUnsigned(e.va() + e.size(), a.addr + a.mappedSize(ps)) > 0) {
                out.add(new Violation("collapse-scope", String.format("%s collapsed [0x%x, 0x%x) into a %s for %s [0x%x, 0x%x), beyond the area",
                        e.variant(), e.va(), e.va() + e.size(), e.to(), a.caller, a.addr, a.addr + a.mappedSize(ps)), e.va(), e.va() + e.size()));
            }
        }
        c.log.clear();
        for (String w : c.warnings) {
            if (out.size() < 16) {
                out.add(new Violation("collapse-warn", w));
            }
        }
        c.warnings.clear();
        return out;
    }
}
