package org.ptlab.oracle;

import java.nio.file.Path;
import java.util.Collections;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.pgtable.Pgtable;

/**
 * Starts a modelled machine from a real kernel's tables ({@code --from-capture DIR}): the machine is
 * the capture's (iomem, command line, release, CPU, granule, VA bits), the model boots as usual so
 * its allocators and flags exist, and then its linear map is replaced by the captured one, written
 * through the accessor layer ({@link Pgtable#allocTable}, {@link Pgtable#write}) into fresh table
 * pages of the linear map's owner, with the DirectMap counters set from the captured leaves.
 * The real VAs are moved by the capture's KASLR linear offset to the model's PAGE_OFFSET.
 */
public final class CaptureImport {
    private CaptureImport() {}

    /** Makes spec describe the capture's machine and import its tables after boot. */
    public static Capture apply(MachineSpec spec, Path dir) {
        Capture c = Capture.load(dir);
        spec.mem = null;
        spec.memmap = null;
        spec.iomem = dir.resolve("iomem").toString();
        spec.kernel = c.release();
        spec.granule = c.granule().label;
        spec.vaBits = c.vaBits();
        spec.cmdline = c.cmdline();
        spec.cpu = String.join(",", Collections.nCopies(c.smp(), c.modelCpu()));
        spec.afterBoot = k -> load(k, c);
        if (c.inputs() != null) {
            // the boot-time calls' areas backed by the pages the real kernel used (their alias is in the imported tables)
            long ps = c.granule().pageSize();
            spec.bootPages = (callers, n) -> c.inputs().pagesOf(callers, n, ps);
        }
        return c;
    }

    /** Replace k's linear map by the capture's. */
    public static void load(Kernel k, Capture c) {
        Geometry g = k.geo;
        if (g.granule != c.granule() || g.vaBits != c.vaBits()) {
            throw new IllegalArgumentException(c.dir() + ": the capture's " + c.granule().label + "/" + c.vaBits()
                    + " tables do not fit a " + g + " machine");
        }
        Pgtable pg = k.pg;
        clear(pg, g, g.startLevel, k.swapper, g.pageOffset, g.pageEnd);
        Regime names = new Regime(0, 2L << 30 | 16L << 16, c.mair());
        long delta = 0;
        if (!c.map().runs().isEmpty()) {
            LinearMap.Run f = c.map().runs().get(0);
            delta = f.va() - k.physToVirt(f.pa());
        }
        long[] bytes = new long[MapSize.VALUES.length];
        for (LinearMap.Run r : c.map().runs()) {
            long size = g.entrySize(r.level());
            long attrs = descAttrs(r, names);
            for (long off = 0; off < r.size(); off += size) {
                long va = r.va() - delta + off;
                if (!k.directMap.inLinear(va)) {
                    throw new IllegalArgumentException(String.format("%s: linear-map.txt: 0x%x lies outside the model's linear map", c.dir(), r.va() + off));
                }
                long table = tableFor(k, g, va, r.level());
                pg.write(table, g.index(r.level(), va), (r.pa() + off) | attrs);
            }
            bytes[MapSize.of(r.level(), (r.attrs() & LinearMap.CONT) != 0).ordinal()] += r.size();
        }
        for (MapSize s : MapSize.VALUES) {
            pg.counterSet(k.directMap.counterId(s), bytes[s.ordinal()]);
        }
    }

    /** Free every table page below [start, end) of a table and clear its entries there. */
    private static void clear(Pgtable pg, Geometry g, int level, long table, long start, long end) {
        long addr = start;
        do {
            long next = g.addrEnd(level, addr, end);
            int idx = g.index(level, addr);
            long d = pg.peek(table, idx);
            if (d != 0) {
                long size = g.entrySize(level);
                boolean whole = (addr & (size - 1)) == 0 && next - addr == size;
                if (level < 3 && Desc.isTable(d)) {
                    long child = Pgtable.tablePa(d);
                    clear(pg, g, level + 1, child, addr, next);
                    if (whole) {
                        pg.write(table, idx, 0);
                        pg.freeTable(child);
                    }
                } else if (whole) {
                    pg.write(table, idx, 0);
                }
            }
            addr = next;
        } while (addr != end);
    }

    /** The table holding the entry of va at a level, allocating the missing levels above. */
    private static long tableFor(Kernel k, Geometry g, long va, int leafLevel) {
        long table = k.swapper;
        for (int l = g.startLevel; l < leafLevel; l++) {
            int idx = g.index(l, va);
            long d = k.pg.peek(table, idx);
            if (d == 0) {
                long t = k.pg.allocTable(l + 1, k.linearOwner);
                k.pg.write(table, idx, Desc.tableDesc(t, true));
                table = t;
            } else if (Desc.isTable(d)) {
                table = Pgtable.tablePa(d);
            } else {
                throw new IllegalStateException(String.format("0x%x: a leaf at level %d above the captured level %d", va, l, leafLevel));
            }
        }
        return table;
    }

    /** The model's descriptor bits (asm/pgtable-hwdef.h) for a captured run's printed attributes. */
    static long descAttrs(LinearMap.Run r, Regime names) {
        int a = r.attrs();
        long d = r.level() == 3 || (a & LinearMap.BLK) == 0 ? Desc.TYPE_PAGE : Desc.TYPE_SECT;
        if ((a & LinearMap.INVALID) != 0) {
            d &= ~Desc.VALID;
        }
        d |= (a & LinearMap.RO) != 0 ? Desc.RDONLY : 0;
        d |= (a & LinearMap.USER) != 0 ? Desc.USER : 0;
        d |= (a & LinearMap.PXN) != 0 ? Desc.PXN : 0;
        d |= (a & LinearMap.UXN) != 0 ? Desc.UXN : 0;
        d |= (a & LinearMap.SHD) != 0 ? Desc.SHARED : 0;
        d |= (a & LinearMap.AF) != 0 ? Desc.AF : 0;
        d |= (a & LinearMap.NG) != 0 ? Desc.NG : 0;
        d |= (a & LinearMap.CONT) != 0 ? Desc.CONT : 0;
        d |= (a & LinearMap.DBM) != 0 ? Desc.DBM : 0;
        int idx = Desc.MT_NORMAL;
        for (int i = 0; i < 8; i++) {
            if (names.memType(i).equals(r.mem())) {
                idx = i;
                break;
            }
        }
        return d | Desc.attrIndx(idx);
    }
}
