package org.ptlab.user;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptlab.pgtable.KLock;

/**
 * An {@code mm_struct}: its own root table ({@code pgd}) in the shared {@link org.ptlab.pgtable.Pgtable},
 * table pages owned by "mm N", an ASID, the VMA tree, the {@code mmap_lock} and the
 * {@code page_table_lock} (modelled as one lock for all PMD/PUD locks), and the shared counters
 * {@code pgtables_bytes} and the number of deposited tables.
 */
public final class Mm {
    public final int id;
    public final int owner;
    public final int asid;
    public final long pgd;
    final TreeMap<Long, Vma> vmas = new TreeMap<>(Long::compareUnsigned);
    public final KLock mmapLock;
    public final KLock ptl;
    /** Counter id of pgtables_bytes (all table pages but the root, deposited tables included). */
    public final int pgtablesBytes;
    /** Counter id of the number of deposited tables. */
    public final int deposited;
    boolean dead;

    Mm(int id, int owner, long pgd, int pgtablesBytes, int deposited) {
        this.id = id;
        this.owner = owner;
        this.asid = id;
        this.pgd = pgd;
        this.mmapLock = new KLock("mm " + id + " mmap_lock");
        this.ptl = new KLock("mm " + id + " page_table_lock");
        this.pgtablesBytes = pgtablesBytes;
        this.deposited = deposited;
    }

    /** find_vma_intersection for a single address, or null. */
    public Vma findVma(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e == null || !e.getValue().contains(addr)) {
            return null;
        }
        return e.getValue();
    }

    /** The VMAs in address order (a copy). */
    public List<Vma> vmas() {
        return new ArrayList<>(vmas.values());
    }

    public boolean dead() {
        return dead;
    }

    @Override
    public String toString() {
        return "mm " + id;
    }
}
