package org.ptlab.check;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.kernel.Kernel;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * A dump of kernel page tables in the text format of /sys/kernel/debug/kernel_page_tables
 * (arch/arm64/mm/ptdump.c note_page/dump_prot): one line per run of entries with equal masked
 * attribute bits at the same level, holes included, sizes in K/M/G/T, and markers at region
 * boundaries. While it walks it also recounts the DirectMap buckets and the table pages, so the
 * totals are computed independently of the kernel's counters.
 */
public final class Ptdump {
    /** The bits ptdump compares and prints (pte_bits[] of arm64 ptdump). */
    static final long MASK = Desc.VALID | Desc.USER | Desc.RDONLY | Desc.PXN | Desc.SHARED | Desc.AF | Desc.NG
            | Desc.CONT | Desc.TABLE_BIT | Desc.UXN | Desc.GP | Desc.ATTRINDX_MASK;

    /** A named address marker ("Linear Mapping start"). */
    public record Marker(long va, String name) {}

    private static final int FLUSH = -100;
    private final Geometry geo;
    private final StringBuilder out;
    private final Marker[] markers;
    private int nextMarker;
    private long startAddress;
    private long currentProt;
    private int level = Integer.MIN_VALUE;
    private final long[] buckets = new long[MapSize.VALUES.length];
    private final long[] tablesPerLevel = new long[8];

    private Ptdump(Geometry geo, StringBuilder out, Marker[] markers) {
        this.geo = geo;
        this.out = out;
        this.markers = markers;
    }

    /** The whole linear map with its start and end markers, as the kernel file shows it. */
    public static String linearMap(Kernel k) {
        return dump(k.pg, k.swapper, k.geo.pageOffset, k.geo.pageEnd,
                new Marker[] {new Marker(k.geo.pageOffset, "Linear Mapping start"), new Marker(k.geo.pageEnd, "Linear Mapping end")});
    }

    /** Dump [start, end) of the tree under root, without markers (e.g. the range of a violation). */
    public static String range(Kernel k, long start, long end) {
        return dump(k.pg, k.swapper, start, end, new Marker[0]);
    }

    /** Dump [start, end) with markers; a marker at start is printed first, one at end last. */
    public static String dump(Pgtable pg, long root, long start, long end, Marker[] markers) {
        Ptdump p = new Ptdump(pg.geo, new StringBuilder(), markers);
        p.run(pg, root, start, end);
        return p.out.toString();
    }

    /** Recount the DirectMap buckets (bytes per {@link MapSize}) of the linear map by walking it. */
    public static long[] recountDirectMap(Kernel k) {
        Ptdump p = new Ptdump(k.geo, null, new Marker[0]);
        p.run(k.pg, k.swapper, k.geo.pageOffset, k.geo.pageEnd);
        return p.buckets;
    }

    private void run(Pgtable pg, long root, long start, long end) {
        while (nextMarker < markers.length && Long.compareUnsigned(markers[nextMarker].va(), start) < 0) {
            nextMarker++;
        }
        TableWalk.walk(pg, root, start, end, new TableWalk.Visitor() {
            @Override
            public void hole(long va, long size, int lvl) {
                note(va, lvl, 0);
            }

            @Override
            public void leaf(long va, int lvl, long d, long table, int idx) {
                note(va, lvl, d);
                if (lvl >= 1) {
                    buckets[MapSize.of(lvl, Desc.cont(d)).ordinal()] += geo.entrySize(lvl);
                }
            }

            @Override
            public void leafRun(long va, int lvl, long first, long step, int count, long table, long entrySize) {
                // every entry of a run shares its attribute bits: one note, one bucket update
                note(va, lvl, first);
                buckets[MapSize.of(lvl, Desc.cont(first)).ordinal()] += count * entrySize;
            }

            @Override
            public boolean table(long va, int lvl, long d, long tablePa) {
                tablesPerLevel[lvl + 2]++;
                return true;
            }
        });
        note(end, FLUSH, 0); // flush the last run (the kernel's final note_page at level -1)
    }

    private void note(long addr, int lvl, long val) {
        if (out == null) {
            return;
        }
        long prot = val & MASK;
        if (level == Integer.MIN_VALUE) {
            currentProt = prot;
            startAddress = addr;
            level = lvl;
            if (nextMarker < markers.length && markers[nextMarker].va() == addr) {
                out.append("---[ ").append(markers[nextMarker].name()).append(" ]---\n");
                nextMarker++;
            }
            return;
        }
        boolean atMarker = nextMarker < markers.length && Long.compareUnsigned(addr, markers[nextMarker].va()) >= 0;
        if (prot == currentProt && lvl == level && !atMarker) {
            return;
        }
        out.append(String.format("0x%016x-0x%016x   ", startAddress, addr));
        long delta = (addr - startAddress) >>> 10;
        String units = "KMGTPE";
        int u = 0;
        while ((delta & 1023) == 0 && delta != 0 && u < units.length() - 1) {
            delta >>>= 10;
            u++;
        }
        out.append(String.format("%9d%c %s", delta, units.charAt(u), geo.levelName(level)));
        if (currentProt != 0) {
            appendProt(out, currentProt);
        }
        out.append('\n');
        if (atMarker) {
            out.append("---[ ").append(markers[nextMarker].name()).append(" ]---\n");
            nextMarker++;
        }
        startAddress = addr;
        currentProt = prot;
        level = lvl;
    }

    /** dump_prot(): each field preceded by one space. */
    static void appendProt(StringBuilder b, long p) {
        b.append(' ').append((p & Desc.VALID) != 0 ? " " : "F");
        b.append(' ').append((p & Desc.USER) != 0 ? "USR" : "   ");
        b.append(' ').append((p & Desc.RDONLY) != 0 ? "ro" : "RW");
        b.append(' ').append((p & Desc.PXN) != 0 ? "NX" : "x ");
        b.append(' ').append((p & Desc.SHARED) == Desc.SHARED ? "SHD" : "   ");
        b.append(' ').append((p & Desc.AF) != 0 ? "AF" : "  ");
        b.append(' ').append((p & Desc.NG) != 0 ? "NG" : "  ");
        b.append(' ').append((p & Desc.CONT) != 0 ? "CON" : "   ");
        b.append(' ').append((p & Desc.TABLE_BIT) != 0 ? "   " : "BLK");
        b.append(' ').append((p & Desc.UXN) != 0 ? "UXN" : "   ");
        b.append(' ').append((p & Desc.GP) != 0 ? "GP" : "  ");
        String mt;
        switch (Desc.memType(p)) {
            case Desc.MT_DEVICE_nGnRnE: mt = "DEVICE/nGnRnE"; break;
            case Desc.MT_DEVICE_nGnRE: mt = "DEVICE/nGnRE"; break;
            case Desc.MT_NORMAL_NC: mt = "MEM/NORMAL-NC"; break;
            case Desc.MT_NORMAL: mt = "MEM/NORMAL"; break;
            case Desc.MT_NORMAL_TAGGED: mt = "MEM/NORMAL-TAGGED"; break;
            default: mt = null;
        }
        if (mt != null) {
            b.append(' ').append(mt);
        }
    }
}
