package org.ptlab.pgtable;

/**
 * A kernel lock the modelled algorithms take: {@code pgtable_split_lock} (mutex),
 * {@code init_mm}'s mmap lock, {@code fixmap_lock}, per-table spinlocks. Acquired and released only
 * through {@link Pgtable#lock}/{@link Pgtable#unlock}, so the explorer can schedule at them.
 * Holder: the modelled CPU id, or -1.
 */
public final class KLock {
    public final String name;
    int holder = -1;
    int depth;

    public KLock(String name) {
        this.name = name;
    }

    public int holder() {
        return holder;
    }

    public boolean held() {
        return holder >= 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
