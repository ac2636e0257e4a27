package org.ptlab.pgtable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/**
 * The walker's descents to one address: each level's entry read once through the accessor layer
 * (observed, in the kernel's order), the peek form for checkers, and the allocating form.
 */
class TableWalkDescentTest {
    final Geometry geo = Geometry.of(Granule.G4K, 48);
    final Pgtable pg = new Pgtable(geo, 64);
    final int owner = pg.owner("test");
    final long root = pg.allocTable(geo.startLevel, owner);
    final List<String> reads = new ArrayList<>();

    TableWalkDescentTest() {
        pg.addObserver(new PgtableObserver() {
            @Override
            public void onRead(int cpu, long tablePa, int level, int idx, long val) {
                reads.add(level + ":" + idx);
            }
        });
    }

    /** Link a table under (table, idx) of level; returns it. */
    long link(long table, int level, long va) {
        long t = pg.allocTable(level + 1, owner);
        pg.write(table, geo.index(level, va), Desc.tableDesc(t, false));
        return t;
    }

    @Test
    void leafReadsEachLevelOnceThroughTheAccessorLayer() {
        long va = 0xffff_0000_4020_3000L;
        long pud = link(root, 0, va);
        long pmd = link(pud, 1, va);
        long pte = link(pmd, 2, va);
        long page = 0x4020_3000L | 3; // a valid page descriptor
        pg.write(pte, geo.index(3, va), page);
        reads.clear();
        TableWalk.Entry e = new TableWalk.Entry();
        assertThat(TableWalk.leaf(pg, root, va, e)).isEqualTo(page);
        assertThat(e.level).isEqualTo(3);
        assertThat(e.table).isEqualTo(pte);
        assertThat(e.idx).isEqualTo(geo.index(3, va));
        assertThat(reads).containsExactly("0:" + geo.index(0, va), "1:" + geo.index(1, va), "2:" + geo.index(2, va), "3:" + geo.index(3, va));
        reads.clear();
        assertThat(TableWalk.peekLeaf(pg, root, va, e)).isEqualTo(page);
        assertThat(reads).isEmpty(); // the peek form is invisible to observers and the scheduler
    }

    @Test
    void leafStopsAtANoneEntryOrABlock() {
        long va = 0xffff_0000_8000_0000L;
        long pud = link(root, 0, va);
        long block = 0x8000_0000L | Desc.mkSect(0);
        pg.write(pud, geo.index(1, va), block);
        reads.clear();
        TableWalk.Entry e = new TableWalk.Entry();
        assertThat(TableWalk.leaf(pg, root, va + 0x1000, e)).isEqualTo(block);
        assertThat(e.level).isEqualTo(1);
        assertThat(reads).hasSize(2);
        assertThat(TableWalk.leaf(pg, root, 0xffff_8000_0000_0000L, e)).isZero();
        assertThat(e.level).isEqualTo(0);
        assertThat(TableWalk.tableAt(pg, root, va, 2)).isZero(); // a block above the PMD table
        assertThat(TableWalk.tableAt(pg, root, va, 1)).isEqualTo(pud);
    }

    @Test
    void tableAtAllocatesOnTheWayDownAndReadsThePopulatedEntryAgain() {
        long va = 0xffff_0000_4000_0000L;
        List<Integer> populated = new ArrayList<>();
        reads.clear();
        long pte = TableWalk.tableAt(pg, root, va, 3, (level, table, idx, d) -> {
            assertThat(d).isZero();
            populated.add(level);
            long t = pg.allocTable(level + 1, owner);
            pg.write(table, idx, Desc.tableDesc(t, false));
            return t;
        });
        assertThat(populated).containsExactly(0, 1, 2);
        assertThat(reads).hasSize(6); // each entry read, populated, read again (the *_offset after *_populate)
        assertThat(TableWalk.tableAt(pg, root, va, 3)).isEqualTo(pte);
        reads.clear();
        assertThat(TableWalk.tableAt(pg, root, va, 3, (l, t, i, d) -> {
            throw new AssertionError("nothing to populate");
        })).isEqualTo(pte);
        assertThat(reads).hasSize(3);
        // a failed allocation ends the descent with 0
        assertThat(TableWalk.tableAt(pg, root, 0xffff_1000_0000_0000L, 3, (l, t, i, d) -> 0)).isZero();
        // a populate may refuse a leaf in the way
        long other = 0xffff_0000_c000_0000L;
        pg.write(TableWalk.tableAt(pg, root, other, 1), geo.index(1, other), 0xc000_0000L | Desc.mkSect(0));
        assertThatThrownBy(() -> TableWalk.tableAt(pg, root, other, 3, (l, t, i, d) -> {
            throw new IllegalStateException("a block at level " + l);
        })).hasMessage("a block at level 1");
    }

    @Test
    void descendHandsEachLevelsEntryToTheStepWhichEndsIt() {
        long va = 0xffff_0000_4020_3000L;
        long pud = link(root, 0, va);
        long pmd = link(pud, 1, va);
        List<String> seen = new ArrayList<>();
        reads.clear();
        // a step that goes on into each table and ends at the none PMD entry
        int rc = TableWalk.descend(pg, root, va, 3, (level, table, idx, d) -> {
            seen.add(level + ":" + (d == 0 ? "none" : "table"));
            return Desc.isTable(d) ? Pgtable.tablePa(d) : TableWalk.STOP;
        });
        assertThat(rc).isZero();
        assertThat(seen).containsExactly("0:table", "1:table", "2:none");
        assertThat(reads).hasSize(3);
        // a negative errno ends the descent with it
        assertThat(TableWalk.descend(pg, root, va, 3, (level, table, idx, d) -> level == 1 ? -12 : Pgtable.tablePa(d))).isEqualTo(-12);
        // the step may change the entry and go on into what it made (a populate, a split)
        assertThat(TableWalk.descend(pg, root, va, 3, (level, table, idx, d) -> {
            if (level == 2 && d == 0) {
                long t = pg.allocTable(3, owner);
                pg.write(table, idx, Desc.tableDesc(t, false));
                return t;
            }
            return level == 3 ? TableWalk.STOP : Pgtable.tablePa(d);
        })).isZero();
        assertThat(TableWalk.tableAt(pg, root, va, 3)).isNotZero();
        assertThat(pmd).isEqualTo(TableWalk.tableAt(pg, root, va, 2));
        // last above the root level: nothing is read
        reads.clear();
        assertThat(TableWalk.descend(pg, root, va, geo.startLevel - 1, (l, t, i, d) -> {
            throw new AssertionError("no level to visit");
        })).isZero();
        assertThat(reads).isEmpty();
    }
}
