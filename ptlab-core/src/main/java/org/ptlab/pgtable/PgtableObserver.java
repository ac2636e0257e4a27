package org.ptlab.pgtable;

/**
 * Sees every access the model makes to shared page-table state through {@link Pgtable}: descriptor
 * reads and writes, table allocation and freeing, barriers, TLB maintenance, counter updates,
 * locks, and the start and end of each kernel operation. The hardware model (TLBs, walkers,
 * hazard checks), the maintenance event log, and statistics are observers. Callbacks run after the
 * access has taken effect, on the modelled CPU that made it.
 */
public interface PgtableObserver {
    default void onRead(int cpu, long tablePa, int level, int idx, long val) {}

    default void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {}

    /** Bulk initialisation of entries that were all none: first, first+step, ... */
    default void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {}

    default void onTableAlloc(int cpu, long pa, int level, int owner) {}

    default void onTableFree(int cpu, long pa, int level, int owner) {}

    default void onBarrier(int cpu, Barrier b) {}

    /**
     * A TLB invalidation. For VA forms {@code va} is the page-aligned VA and {@code pages} the
     * number of pages (1 for single-VA forms); asid is -1 for all-ASID forms.
     */
    default void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {}

    default void onCounter(int cpu, int id, long old, long val) {}

    default void onLock(int cpu, KLock lock, boolean acquire) {}

    /** A kernel operation (e.g. "set_memory_ro", "split_kernel_leaf_mapping") begins or ends. */
    default void onOp(int cpu, String name, long arg0, long arg1, boolean begin) {}
}
