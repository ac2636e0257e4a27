package org.ptlab.run;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * A standalone mapping for trace replay: [va, va + size) mapped to [pa, pa + size) with one chosen
 * leaf kind (PTE, CONT_PTE, PMD, CONT_PMD or PUD) in its own table tree, built through
 * {@link Pgtable} (allocTable, write, writeRun) like {@code __create_pgd_mapping} would, so the
 * hardware model walks real descriptors. The region lives below TTBR0 (a user-style mapping:
 * non-global, AP[1] user, read-write and executable at EL0 only, PXN set: a process's text, data
 * and stack alike, as a replayed trace places them); its root is {@link #root}.
 */
public final class Region {
    /** Default VA and PA bases: 64 GiB and 512 GiB, aligned for every leaf size. */
    public static final long DEFAULT_VA = 0x10_0000_0000L;
    public static final long DEFAULT_PA = 0x80_0000_0000L;

    public final Pgtable pg;
    public final long root;
    public final long va;
    public final long pa;
    public final long size;
    public final MapSize kind;
    public final int owner;

    private Region(Pgtable pg, long root, long va, long pa, long size, MapSize kind, int owner) {
        this.pg = pg;
        this.root = root;
        this.va = va;
        this.pa = pa;
        this.size = size;
        this.kind = kind;
        this.owner = owner;
    }

    /** A fresh table store for a geometry with a region mapped at the default bases. */
    public static Region standalone(Geometry geo, long size, MapSize kind) {
        long leaves = size / geo.size(kind);
        Pgtable pg = new Pgtable(geo, Math.max(16, leaves / geo.ptrsPerTable + 16));
        return map(pg, 0, DEFAULT_VA, DEFAULT_PA, size, kind);
    }

    /**
     * Map a region into a tree (root 0: allocate a new root). Size, VA and PA must be aligned to the
     * leaf kind's size.
     */
    public static Region map(Pgtable pg, long root, long va, long pa, long size, MapSize kind) {
        Geometry geo = pg.geo;
        if (kind == MapSize.PUD && !geo.hasPud()) {
            throw new IllegalArgumentException("PUD blocks exist only with 4K pages");
        }
        long leaf = geo.size(kind);
        if (size <= 0 || ((va | pa | size) & (leaf - 1)) != 0) {
            throw new IllegalArgumentException(String.format("region va 0x%x pa 0x%x size 0x%x: expected %s-aligned", va, pa, size,
                    org.ptlab.arch.Sizes.label(leaf)));
        }
        if (va < 0 || ((va + size - 1) >>> geo.vaBits) != 0) {
            throw new IllegalArgumentException("region does not fit below TTBR0's " + geo.vaBits + "-bit VA limit");
        }
        int owner = pg.owner("region");
        if (root == 0) {
            root = pg.allocTable(geo.startLevel, owner);
        }
        long prot = (Desc.protNormal(true) | Desc.USER) & ~Desc.UXN;
        int level = kind.level();
        long entry = geo.entrySize(level);
        long step = entry;
        long leafProt = level == 3 ? Desc.mkPageType(prot) : Desc.mkSect(prot);
        if (kind.cont()) {
            leafProt |= Desc.CONT;
        }
        pg.op("map_region", va, va + size, true);
        for (long off = 0; off < size;) {
            long cur = va + off;
            long table = tableFor(pg, root, cur, level, owner);
            int idx = geo.index(level, cur);
            int room = geo.entries(level) - idx;
            long left = (size - off) / entry;
            int n = (int) Math.min(room, left);
            pg.writeRun(table, idx, n, (pa + off) | leafProt, step);
            off += n * entry;
        }
        pg.dsbIshst();
        pg.isb();
        pg.op("map_region", va, va + size, false);
        return new Region(pg, root, va, pa, size, kind, owner);
    }

    private static long tableFor(Pgtable pg, long root, long va, int leafLevel, int owner) {
        return TableWalk.tableAt(pg, root, va, leafLevel, (level, table, idx, d) -> {
            if (d != 0) {
                throw new IllegalArgumentException(String.format("0x%x is already mapped by a %s block", va, pg.geo.levelName(level)));
            }
            long t = pg.allocTable(level + 1, owner);
            if (t == 0) {
                throw new IllegalStateException("table allocation failed");
            }
            pg.write(table, idx, Desc.userTableDesc(t));
            return t;
        });
    }

    /** Page-table pages of the region (all levels, root included). */
    public long tablePages() {
        return pg.pages(owner);
    }
}
