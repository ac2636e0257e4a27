package org.ptlab.kernel;

import org.ptlab.arch.MapSize;

/**
 * The {@code split} family: {@code split_kernel_leaf_mapping(start, end)} once its early returns
 * are passed (the linear map depends on BBML2_NOABORT, start is not in the KFENCE pool, the system
 * has BBML2_NOABORT, both edges page aligned), plus the two painting/alias decisions that came with
 * the posted series. The behaviours run {@link Split}'s primitives; the known-bad ones are the
 * explorer's former split mutants, now the kernel's own code.
 */
public interface SplitPolicy extends Variant {
    String FAMILY = "split";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Make start and end leaf boundaries; 0 or a negative errno. */
    int splitKernelLeafMapping(Split s, long start, long end);

    /** The rodata=full alias loop changes each physically contiguous run of backing pages at once (else one call per page). */
    default boolean aliasLoopByRuns() {
        return false;
    }

    /** map_mem paints the linear map without CONT whenever rodata=full. */
    default boolean noContWithRodataFull() {
        return false;
    }

    /**
     * Upstream's body: pgprot_split_lock, lazy MMU on, split at the less aligned edge of a
     * one-page range or at both edges, lazy MMU off, unlock; no TLB maintenance.
     */
    static int upstream(Split s, long start, long end) {
        Kernel k = s.kernel();
        k.pg.op("split_kernel_leaf_mapping", start, end, true);
        k.pg.lock(k.pgtableSplitLock);
        k.lazy.enter();
        int rc = s.splitEdges(start, end);
        k.lazy.leave();
        k.pg.unlock(k.pgtableSplitLock);
        k.pg.op("split_kernel_leaf_mapping", start, end, false);
        return rc;
    }

    /** split=upstream (default). */
    final class Upstream implements SplitPolicy {
        @Override
        public String name() {
            return "upstream";
        }

        @Override
        public String description() {
            return "split_kernel_leaf_mapping as merged (v6.18+): split only where a range edge falls inside a leaf, keep CONT elsewhere, pgtable_split_lock, no TLBI";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            return upstream(s, start, end);
        }
    }

    /** split=minimal: upstream's split, alias loop by contiguous runs. */
    final class Minimal implements SplitPolicy {
        @Override
        public String name() {
            return "minimal";
        }

        @Override
        public String description() {
            return "ours: upstream's edge split, and the rodata=full alias loop changes each physically contiguous run of backing pages at once, so whole CONT ranges and blocks stay intact (Ryan, seed 001)";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            return upstream(s, start, end);
        }

        @Override
        public boolean aliasLoopByRuns() {
            return true;
        }
    }

    /** split=seed003-v2: the whole range to PTEs under init_mm's mmap lock. */
    final class Seed003V2 implements SplitPolicy {
        @Override
        public String name() {
            return "seed003-v2";
        }

        @Override
        public String description() {
            return "seed 003 v2 as posted: no CONT with rodata=full, every changed linear range split down to PTEs under init_mm's mmap write lock, TLB flushed after each split";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            return s.seed003Split(start, end);
        }

        @Override
        public boolean noContWithRodataFull() {
            return true;
        }
    }

    /** split=no-lock: known bad (the explorer's no-split-lock mutant). */
    final class NoLock implements SplitPolicy {
        @Override
        public String name() {
            return "no-lock";
        }

        @Override
        public String description() {
            return "known bad: upstream's split without pgtable_split_lock, so two CPUs splitting the same block race (lost table, double-counted DirectMap)";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            Kernel k = s.kernel();
            k.pg.op("split_kernel_leaf_mapping", start, end, true);
            k.lazy.enter();
            int rc = s.splitEdges(start, end);
            k.lazy.leave();
            k.pg.op("split_kernel_leaf_mapping", start, end, false);
            return rc;
        }
    }

    /** split=counter-outside-lock: known bad (the explorer's counter-outside-lock mutant). */
    final class CounterOutsideLock implements SplitPolicy {
        @Override
        public String name() {
            return "counter-outside-lock";
        }

        @Override
        public String description() {
            return "known bad: upstream's split, but the DirectMap counter updates are applied after pgtable_split_lock is released, as separate read-modify-writes";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            Kernel k = s.kernel();
            DirectMap dm = k.directMap;
            k.pg.op("split_kernel_leaf_mapping", start, end, true);
            k.pg.lock(k.pgtableSplitLock);
            long[] before = snapshot(dm);
            k.lazy.enter();
            int rc = s.splitEdges(start, end);
            k.lazy.leave();
            // the accounting the split did under the lock is undone here and redone after the unlock
            long[] delta = snapshot(dm);
            for (int i = 0; i < delta.length; i++) {
                delta[i] -= before[i];
                k.pg.counterSet(dm.counterId(MapSize.VALUES[i]), before[i]);
            }
            k.pg.unlock(k.pgtableSplitLock);
            for (int i = 0; i < delta.length; i++) {
                if (delta[i] != 0) {
                    k.pg.counterAdd(dm.counterId(MapSize.VALUES[i]), delta[i]);
                }
            }
            k.pg.op("split_kernel_leaf_mapping", start, end, false);
            return rc;
        }

        private static long[] snapshot(DirectMap dm) {
            long[] v = new long[MapSize.VALUES.length];
            for (MapSize m : MapSize.VALUES) {
                v[m.ordinal()] = dm.bytes(m);
            }
            return v;
        }
    }

    /** split=cont-one-entry: known bad (the explorer's cont-one-entry mutant). */
    final class ContOneEntry implements SplitPolicy {
        @Override
        public String name() {
            return "cont-one-entry";
        }

        @Override
        public String description() {
            return "known bad: upstream's split, but split_contpte/split_contpmd clear CONT on the one entry at addr, not on the whole group";
        }

        @Override
        public int splitKernelLeafMapping(Split s, long start, long end) {
            Kernel k = s.kernel();
            k.pg.op("split_kernel_leaf_mapping", start, end, true);
            k.pg.lock(k.pgtableSplitLock);
            k.lazy.enter();
            int rc = s.splitEdges(start, end, s::splitAtContOneEntry);
            k.lazy.leave();
            k.pg.unlock(k.pgtableSplitLock);
            k.pg.op("split_kernel_leaf_mapping", start, end, false);
            return rc;
        }
    }
}
