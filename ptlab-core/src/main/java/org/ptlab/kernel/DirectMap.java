package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Pgtable;

/**
 * DirectMap accounting of the linear map ({@code arch_report_meminfo}; seed 000): bytes per mapping
 * kind, held in shared counter words updated through {@link Pgtable#counterAdd} (a non-atomic
 * read-modify-write, as in C). The algorithms report what they do (create, split, collapse,
 * remove); the selected {@code account=} variant decides what that does to the counters:
 *
 * <ul>
 *   <li>{@code exact} (default): a leaf written over none adds its size to its bucket; a removed
 *       leaf subtracts its own entry size; splits, CONT changes and collapses move bytes between
 *       buckets; permission and valid-bit changes of existing leaves change nothing.
 *   <li>{@code seed000-v7}: the posted v7: the creators add every leaf they write, even over an
 *       existing one (so {@code update_mapping_prot} double counts, review point 3), and removal of
 *       a CONT entry subtracts the whole contiguous size once per removal call and group (point 4).
 * </ul>
 * Only VAs in [PAGE_OFFSET, PAGE_END) of swapper are counted.
 */
public final class DirectMap {
    private final Pgtable pg;
    private final Geometry geo;
    private final int[] ids = new int[MapSize.VALUES.length];
    private final AccountPolicy policy;
    /** policy.countsOverwrites(), read on the creators' hot path. */
    private final boolean countsOverwrites;

    public DirectMap(Pgtable pg, Variants variants) {
        this.pg = pg;
        this.geo = pg.geo;
        for (MapSize s : MapSize.VALUES) {
            ids[s.ordinal()] = pg.counter("DirectMap." + s.name());
        }
        this.policy = variants.policy(AccountPolicy.class, AccountPolicy.FAMILY);
        this.countsOverwrites = policy.countsOverwrites();
    }

    public boolean inLinear(long va) {
        return Long.compareUnsigned(va, geo.pageOffset) >= 0 && Long.compareUnsigned(va, geo.pageEnd) < 0;
    }

    /** Current counter value in bytes (may be negative when a variant underflows). */
    public long bytes(MapSize s) {
        return pg.counterValue(ids[s.ordinal()]);
    }

    /** The counter word id of a bucket (for traces). */
    public int counterId(MapSize s) {
        return ids[s.ordinal()];
    }

    /** A creator wrote leaf {@code nu} over {@code old} at a linear VA. */
    public void created(int level, long va, long old, long nu) {
        if (!inLinear(va)) {
            return;
        }
        if (countsOverwrites || !Desc.isLeaf(level, old)) {
            add(MapSize.of(level, Desc.cont(nu)), geo.entrySize(level));
        }
    }

    /** A creator initialised {@code bytes} of fresh (previously none) leaves of one kind. */
    public void createdRun(int level, long va, boolean cont, long bytes) {
        if (inLinear(va)) {
            add(MapSize.of(level, cont), bytes);
        }
    }

    /** Bytes changed kind without changing the translation (split, CONT set/clear, collapse). */
    public void moved(long va, MapSize from, MapSize to, long bytes) {
        if (!inLinear(va) || from == to) {
            return;
        }
        add(from, -bytes);
        add(to, bytes);
    }

    /**
     * A leaf was cleared by a removal. {@code firstOfGroupInCall} tells the v7 variant whether this
     * is the first CONT entry of its group met in this removal call.
     */
    public void removed(int level, long va, long old, boolean firstOfGroupInCall) {
        if (!inLinear(va)) {
            return;
        }
        boolean cont = Desc.cont(old);
        long bytes = policy.removedBytes(geo, level, cont, firstOfGroupInCall);
        if (bytes != 0) {
            add(MapSize.of(level, cont), -bytes);
        }
    }

    private void add(MapSize s, long delta) {
        pg.counterAdd(ids[s.ordinal()], delta);
    }

    /** The /proc/meminfo lines, one per mapping kind of the granule, smallest first. */
    public List<String> meminfoLines() {
        List<String> out = new ArrayList<>();
        for (MapSize s : geo.mapSizes()) {
            out.add(meminfoLine(geo.directMapName(s), bytes(s) >> 10));
        }
        return out;
    }

    /**
     * One meminfo line: the label and colon padded to 16 columns, the value right-aligned in 8,
     * then " kB" (the layout of /proc/meminfo's show_val_kb). Negative values print as the
     * unsigned long the kernel would show.
     */
    public static String meminfoLine(String name, long kb) {
        String v = kb < 0 ? Long.toUnsignedString(kb) : Long.toString(kb);
        StringBuilder b = new StringBuilder(name).append(':');
        while (b.length() < 16) {
            b.append(' ');
        }
        for (int i = v.length(); i < 8; i++) {
            b.append(' ');
        }
        return b.append(v).append(" kB").toString();
    }
}
