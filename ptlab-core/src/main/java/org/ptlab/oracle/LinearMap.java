package org.ptlab.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;

/**
 * A linear map as the hardware sees it: runs of identical leaf descriptors (same level, same printed
 * attributes, consecutive VAs and output addresses) plus the table pages met on the way, whether
 * walked in a real guest's memory ({@link TtbrWalker}) or in the model ({@link ModelMap}). Its two
 * texts are the capture files {@code linear-map.txt} and {@code decomposition} (docs/oracle.md).
 */
public final class LinearMap {
    // printed attributes of a leaf (the fields of a linear-map.txt line)
    public static final int RO = 1;
    public static final int USER = 1 << 1;
    public static final int PXN = 1 << 2;
    public static final int SHD = 1 << 3;
    public static final int AF = 1 << 4;
    public static final int NG = 1 << 5;
    public static final int CONT = 1 << 6;
    public static final int BLK = 1 << 7;
    public static final int UXN = 1 << 8;
    public static final int DBM = 1 << 9;
    /** A non-zero descriptor with VALID clear (e.g. a KFENCE guard page, a present-invalid entry). */
    public static final int INVALID = 1 << 10;

    /** One line of linear-map.txt: [va, end) at a hardware level, attributes, memory type, first PA. */
    public record Run(long va, long end, int level, int attrs, String mem, long pa) {
        public long size() {
            return end - va;
        }

        /** The same run moved by delta bytes of VA (KASLR's linear-map offset). */
        public Run shift(long delta) {
            return new Run(va + delta, end + delta, level, attrs, mem, pa);
        }
    }

    public final Geometry geo;
    private final List<Run> runs;
    /** Table pages per hardware level below the root (index level + 2), met inside the linear range. */
    private final long[] tables;

    LinearMap(Geometry geo, List<Run> runs, long[] tables) {
        this.geo = geo;
        this.runs = Collections.unmodifiableList(runs);
        this.tables = tables.clone();
    }

    public List<Run> runs() {
        return runs;
    }

    /** Table pages at a hardware level (startLevel + 1 .. 3). */
    public long tablePages(int level) {
        return tables[level + 2];
    }

    /** Collects leaves in address order into runs. */
    public static final class Builder {
        private final Geometry geo;
        private final List<Run> runs = new ArrayList<>();
        private final long[] tables = new long[8];
        private long va;
        private long end;
        private int level;
        private int attrs;
        private String mem;
        private long pa;
        private boolean open;

        public Builder(Geometry geo) {
            this.geo = geo;
        }

        /** count leaves of entrySize bytes from va, output addresses from pa on, equal attributes. */
        public void leaves(long va, int level, int attrs, String mem, long pa, long bytes) {
            if (open && level == this.level && attrs == this.attrs && mem.equals(this.mem) && va == end
                    && pa == this.pa + (end - this.va)) {
                end = va + bytes;
                return;
            }
            flush();
            this.va = va;
            this.end = va + bytes;
            this.level = level;
            this.attrs = attrs;
            this.mem = mem;
            this.pa = pa;
            open = true;
        }

        /** A table page entered at a level (the level of the entries it holds). */
        public void table(int level) {
            tables[level + 2]++;
        }

        private void flush() {
            if (open) {
                runs.add(new Run(va, end, level, attrs, mem, pa));
                open = false;
            }
        }

        public LinearMap build() {
            flush();
            return new LinearMap(geo, new ArrayList<>(runs), tables);
        }
    }

    // ---- counts ----

    /** Bytes of valid leaves per mapping kind. */
    public long[] bytesPerSize() {
        long[] b = new long[MapSize.VALUES.length];
        for (Run r : runs) {
            if ((r.attrs & INVALID) == 0) {
                b[MapSize.of(r.level, (r.attrs & CONT) != 0).ordinal()] += r.size();
            }
        }
        return b;
    }

    public long validDescriptors() {
        long n = 0;
        for (Run r : runs) {
            if ((r.attrs & INVALID) == 0) {
                n += r.size() / geo.entrySize(r.level);
            }
        }
        return n;
    }

    public long invalidDescriptors() {
        long n = 0;
        for (Run r : runs) {
            if ((r.attrs & INVALID) != 0) {
                n += r.size() / geo.entrySize(r.level);
            }
        }
        return n;
    }

    /** The decomposition as ordered key/value pairs, e.g. 1G=0, 2M=10, ..., table pages PUD=1, .... */
    public Decomposition decomposition() {
        long[] b = bytesPerSize();
        long total = 0;
        for (long x : b) {
            total += x;
        }
        Map<String, Long> pieces = new LinkedHashMap<>();
        MapSize[] kinds = geo.mapSizes();
        for (int i = kinds.length - 1; i >= 0; i--) {
            pieces.put(Sizes.label(geo.size(kinds[i])), b[kinds[i].ordinal()] / geo.size(kinds[i]));
        }
        Map<String, Long> tp = new LinkedHashMap<>();
        for (int l = geo.startLevel + 1; l <= 3; l++) {
            tp.put(geo.levelName(l), tablePages(l));
        }
        return new Decomposition(total, validDescriptors(), pieces, tp, invalidDescriptors());
    }

    // ---- text ----

    /** linear-map.txt: markers, then one line per run. */
    public String text() {
        return text("---[ Linear Mapping start ]---", "---[ Linear Mapping end ]---");
    }

    /** The runs between the given marker lines (kernel-map.txt uses its own). */
    public String text(String startMarker, String endMarker) {
        StringBuilder b = new StringBuilder(startMarker).append('\n');
        for (Run r : runs) {
            b.append(line(geo, r)).append('\n');
        }
        return b.append(endMarker).append('\n').toString();
    }

    /** One run in the ptdump-like layout of the 6.1 oracle files. */
    public static String line(Geometry geo, Run r) {
        StringBuilder b = new StringBuilder(120);
        b.append(String.format("0x%016x-0x%016x", r.va, r.end));
        b.append(sizeText(r.size()));
        int a = r.attrs;
        b.append(' ').append(geo.levelName(r.level));
        b.append(' ').append((a & RO) != 0 ? "ro" : "RW");
        b.append(' ').append((a & USER) != 0 ? "USR" : "   ");
        b.append(' ').append((a & PXN) != 0 ? "NX" : "x ");
        b.append(' ').append((a & SHD) != 0 ? "SHD" : "   ");
        b.append(' ').append((a & AF) != 0 ? "AF" : "  ");
        b.append(' ').append((a & NG) != 0 ? "NG" : "  ");
        b.append(' ').append((a & CONT) != 0 ? "CON" : "   ");
        b.append(' ').append((a & BLK) != 0 ? "BLK" : "   ");
        b.append(' ').append((a & UXN) != 0 ? "UXN" : "   ");
        b.append(' ').append((a & DBM) != 0 ? "DBM" : "   ");
        b.append(' ').append(r.mem);
        b.append("  pa=0x").append(Long.toHexString(r.pa));
        if ((a & INVALID) != 0) {
            b.append(" INVALID");
        }
        return b.toString();
    }

    /** Size as ptdump prints it: a number of 9 columns and K, M, G or T. */
    static String sizeText(long bytes) {
        long delta = bytes >>> 10;
        String units = "KMGTPE";
        int u = 0;
        while ((delta & 1023) == 0 && delta != 0 && u < units.length() - 1) {
            delta >>>= 10;
            u++;
        }
        return String.format("%9d%c", delta, units.charAt(u));
    }

    /** Parse linear-map.txt (the layout {@link #text} writes); errors name the file and line. */
    public static LinearMap parse(String text, String file, Geometry geo) {
        List<Run> runs = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        long prevEnd = Long.MIN_VALUE;
        boolean first = true;
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty() || s.startsWith("---[")) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] t = s.split("\\s+");
            if (t.length < 5) {
                throw new IllegalArgumentException(where + "expected 'VA-VA SIZE LEVEL attributes... pa=0x...', found '" + clip(s) + "'");
            }
            int dash = t[0].indexOf('-');
            if (dash < 0) {
                throw new IllegalArgumentException(where + "expected a range 0xSTART-0xEND, found '" + clip(t[0]) + "'");
            }
            long va = hex(t[0].substring(0, dash), where);
            long end = hex(t[0].substring(dash + 1), where);
            if (Long.compareUnsigned(end, va) <= 0) {
                throw new IllegalArgumentException(where + "range end must lie above its start");
            }
            if (!first && Long.compareUnsigned(va, prevEnd) < 0) {
                throw new IllegalArgumentException(where + "ranges must be in increasing address order");
            }
            first = false;
            prevEnd = end;
            if (!sizeText(end - va).strip().equals(t[1])) {
                throw new IllegalArgumentException(where + "size '" + clip(t[1]) + "' does not match the range (" + sizeText(end - va).strip() + ")");
            }
            int level = levelOf(geo, t[2], where);
            int attrs = 0;
            String mem = null;
            Long pa = null;
            for (int k = 3; k < t.length; k++) {
                String w = t[k];
                switch (w) {
                    case "ro": attrs |= RO; break;
                    case "RW": break;
                    case "USR": attrs |= USER; break;
                    case "NX": attrs |= PXN; break;
                    case "x": break;
                    case "SHD": attrs |= SHD; break;
                    case "AF": attrs |= AF; break;
                    case "NG": attrs |= NG; break;
                    case "CON": attrs |= CONT; break;
                    case "BLK": attrs |= BLK; break;
                    case "UXN": attrs |= UXN; break;
                    case "DBM": attrs |= DBM; break;
                    case "INVALID": attrs |= INVALID; break;
                    default:
                        if (w.startsWith("pa=")) {
                            pa = hex(w.substring(3), where);
                        } else if (w.contains("/") && mem == null) {
                            mem = w;
                        } else {
                            throw new IllegalArgumentException(where + "unknown attribute '" + clip(w) + "'");
                        }
                }
            }
            if (mem == null || pa == null) {
                throw new IllegalArgumentException(where + "expected a memory type (MEM/NORMAL, ...) and pa=0x...");
            }
            long entry = geo.entrySize(level);
            if (((va | end) & (entry - 1)) != 0 || (pa & (entry - 1)) != 0) {
                throw new IllegalArgumentException(where + "range and pa must be aligned to the level's entry size (" + Sizes.label(entry) + ")");
            }
            runs.add(new Run(va, end, level, attrs, mem, pa));
        }
        return new LinearMap(geo, runs, new long[8]);
    }

    private static int levelOf(Geometry geo, String name, String where) {
        for (int l = geo.startLevel; l <= 3; l++) {
            if (geo.levelName(l).equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException(where + "unknown level '" + clip(name) + "': expected PTE, PMD, PUD, P4D or PGD");
    }

    private static long hex(String s, String where) {
        if (!s.startsWith("0x") || s.length() < 3 || s.length() > 18) {
            throw new IllegalArgumentException(where + "expected a hex address 0x..., found '" + clip(s) + "'");
        }
        try {
            return Long.parseUnsignedLong(s.substring(2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "expected a hex address 0x..., found '" + clip(s) + "'");
        }
    }

    static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearMap m && m.runs.equals(runs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runs);
    }
}
