package org.ptlab.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.pgtable.Pgtable;

/**
 * Partial-order reduction must not lose outcomes: on small random programs of counter and
 * descriptor accesses, the set of final states reached by DPOR equals the set reached by the
 * unreduced exhaustive search, while DPOR runs no more executions.
 */
class DporTest {

    /** A random program: each CPU does a few counter read-modify-writes and slot reads/writes on 2 words each. */
    static ExploreScenario randomProgram(long seed, int cpus, int opsPerCpu) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ExploreScenario.Builder b = ExploreScenario.builder("dpor-" + seed,
                new ExploreMachine(org.ptlab.arch.Granule.G4K, 2L << 20, cpus, true, true,
                        org.ptlab.kernel.KernelVersion.NEWEST, List.of()));
        for (int c = 0; c < cpus; c++) {
            b.cpu();
            for (int i = 0; i < opsPerCpu; i++) {
                int what = rnd.nextInt(4);
                int which = rnd.nextInt(2);
                long delta = 1L << rnd.nextInt(4);
                switch (what) {
                    case 0 -> b.op("counter" + which + " += " + delta, w -> w.pg.counterAdd(w.pg.counter("t" + which), delta));
                    case 1 -> b.op("pte" + which + ".ro = " + (delta & 1), w -> {
                        long t = pteTable(w);
                        long d = w.pg.peek(t, which);
                        w.pg.write(t, which, (delta & 1) != 0 ? d | Desc.RDONLY : d & ~Desc.RDONLY);
                    });
                    case 2 -> b.op("counter" + which + " += pte" + which + ".ro", w -> {
                        long t = pteTable(w);
                        long v = (w.pg.read(t, which) & Desc.RDONLY) != 0 ? 1 : 0;
                        w.pg.counterAdd(w.pg.counter("t" + which), v);
                    });
                    default -> b.op("lock; counter" + which + " += 1; unlock", w -> {
                        w.pg.lock(w.k.pgtableSplitLock);
                        w.pg.counterAdd(w.pg.counter("t" + which), 1);
                        w.pg.unlock(w.k.pgtableSplitLock);
                    });
                }
            }
        }
        return b.build();
    }

    /** The PTE table mapping the start of the linear map (found with peeks: no scheduling). */
    static long pteTable(World w) {
        long t = w.k.swapper;
        long va = w.linearBase();
        for (int level = w.geo.startLevel; level < 3; level++) {
            t = Pgtable.tablePa(w.pg.peek(t, w.geo.index(level, va)));
        }
        return t;
    }

    static String outcome(World w) {
        Pgtable pg = w.pg;
        long t = pteTable(w);
        return pg.counterValue(pg.counter("t0")) + "," + pg.counterValue(pg.counter("t1")) + "," + pg.peek(t, 0) + "," + pg.peek(t, 1);
    }

    @Test
    void dporReachesExactlyTheOutcomesOfTheFullSearch() {
        long totalFull = 0;
        long totalDpor = 0;
        long outcomes = 0;
        for (long seed = 1; seed <= 9; seed++) {
            ExploreScenario sc = seed % 3 == 0 ? randomProgram(seed, 3, 1) : randomProgram(seed, 2, 2);
            TreeSet<String> full = new TreeSet<>();
            TreeSet<String> reduced = new TreeSet<>();
            Explorer.Options f = new Explorer.Options();
            f.bound = 1000; // effectively unbounded, no reduction
            f.minimise = false;
            f.onExecution = w -> full.add(outcome(w));
            Explorer.Result rf = Explorer.explore(sc, f);
            Explorer.Options d = new Explorer.Options();
            d.bound = -1;
            d.minimise = false;
            d.onExecution = w -> reduced.add(outcome(w));
            Explorer.Result rd = Explorer.explore(sc, d);
            assertThat(rf.verdict()).as("seed %d", seed).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
            assertThat(rd.verdict()).as("seed %d", seed).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
            assertThat(reduced).as("seed %d: outcomes of DPOR vs full search", seed).isEqualTo(full);
            assertThat(rd.executions()).as("seed %d", seed).isLessThanOrEqualTo(rf.executions());
            assertThat(full.size()).as("seed %d", seed).isGreaterThanOrEqualTo(1);
            totalFull += rf.executions();
            totalDpor += rd.executions();
            outcomes += full.size();
        }
    
        System.out.printf("DporTest: %d outcomes; full search %d executions, DPOR %d%n", outcomes, totalFull, totalDpor);
        assertThat(totalDpor).isLessThan(totalFull);
    }
}
