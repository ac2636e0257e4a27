package org.ptlab.pgtable;

/**
 * Scheduling hook of the concurrency explorer: called by {@link Pgtable} before every access to
 * shared modelled state, so that a controlled scheduler can switch modelled CPUs there. The kernel
 * algorithms never call it themselves.
 */
public interface Sched {
    /** Kinds of scheduling points. */
    enum Point { READ, WRITE, COUNTER_READ, COUNTER_WRITE, LOCK, UNLOCK, TLBI, BARRIER, ALLOC, FREE, TRANSLATE }

    /** Called before the access; may block the calling CPU until the scheduler picks it again. */
    void point(int cpu, Point kind, long addr);

    /** Called when a lock is contended: the CPU must wait until the holder releases it. */
    void blockOn(int cpu, KLock lock);
}
