package org.ptlab.kernel;

import org.ptlab.arch.Geometry;

/**
 * The {@code account} family: how the DirectMap counters ({@link DirectMap}) follow the creators
 * and removals of linear-map leaves (seed 000). Splits, CONT changes and collapses always move
 * bytes exactly; the behaviours differ in what a creator's write over an existing leaf and a
 * removal of a CONT entry count.
 */
public interface AccountPolicy extends Variant {
    String FAMILY = "account";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Whether a creator's leaf written over an existing leaf is counted again. */
    boolean countsOverwrites();

    /**
     * Bytes a removal of one leaf of {@code level} subtracts; {@code firstOfGroupInCall} says
     * whether it is the first CONT entry of its group met in this removal call.
     */
    long removedBytes(Geometry geo, int level, boolean cont, boolean firstOfGroupInCall);

    /** account=exact (default). */
    final class Exact implements AccountPolicy {
        @Override
        public String name() {
            return "exact";
        }

        @Override
        public String description() {
            return "DirectMap counters change only on create (none->leaf), remove, split and collapse; never on permission or valid-bit changes";
        }

        @Override
        public boolean countsOverwrites() {
            return false;
        }

        @Override
        public long removedBytes(Geometry geo, int level, boolean cont, boolean firstOfGroupInCall) {
            return geo.entrySize(level);
        }
    }

    /** account=seed000-v7: the series as posted. */
    final class Seed000V7 implements AccountPolicy {
        @Override
        public String name() {
            return "seed000-v7";
        }

        @Override
        public String description() {
            return "seed 000 v7 as posted: every leaf written by the creators is counted, even over an existing entry (double count); removal of a CONT entry subtracts the whole group";
        }

        @Override
        public boolean countsOverwrites() {
            return true;
        }

        @Override
        public long removedBytes(Geometry geo, int level, boolean cont, boolean firstOfGroupInCall) {
            if (cont) {
                return firstOfGroupInCall ? geo.contSize(level) : 0;
            }
            return geo.entrySize(level);
        }
    }
}
