package org.ptlab.check;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.user.PfnPgprot;
import org.ptlab.user.UserSpace;

/**
 * The seed 004 v4 pgprot contract, checked on every descriptor written into a user mm's tables
 * (a {@link PgtableObserver}): a PTE carries the page type (what {@code pfn_pte()} must produce,
 * never huge attributes); a huge leaf carries the block type; {@code pmd_pgprot()}/{@code pud_pgprot()}
 * of that leaf, through the model's own helpers, is a base-PTE pgprot from which {@code pfn_pte()}
 * rebuilds a page with the same attributes and {@code pfn_pmd()} rebuilds the leaf itself.
 */
public final class PgprotContract implements PgtableObserver {
    private final UserSpace us;
    private final PfnPgprot pp;
    private final byte[] userOwner = new byte[64];
    private final List<Violation> violations = new ArrayList<>();
    private long checked;

    public PgprotContract(UserSpace us) {
        this.us = us;
        this.pp = us.pp;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** Entries checked so far. */
    public long checked() {
        return checked;
    }

    private boolean user(long tablePa) {
        int o = us.pg.ownerOf(tablePa);
        if (userOwner[o] == 0) {
            userOwner[o] = (byte) (us.pg.ownerName(o).startsWith("mm ") ? 1 : 2);
        }
        return userOwner[o] == 1;
    }

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (val != 0 && user(tablePa)) {
            check(level, val);
        }
    }

    @Override
    public void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {
        if (user(tablePa)) {
            check(level, first);
            if (count > 1) {
                check(level, first + step * (count - 1));
            }
        }
    }

    private void add(String msg) {
        if (violations.size() < 50) {
            violations.add(new Violation("pgprot", msg));
        }
    }

    private void check(int level, long d) {
        checked++;
        if (level == 3) {
            if ((d & Desc.TABLE_BIT) == 0) {
                add(String.format("PTE 0x%016x written with huge (block) type bits 01: pfn_pte() must never yield huge attributes", d));
            }
            return;
        }
        if (Desc.isTable(d)) {
            return;
        }
        if ((d & Desc.TABLE_BIT) != 0) {
            add(String.format("level-%d leaf 0x%016x written with the page type bit: pfn_pmd()/pfn_pud() must build a block", level, d));
            return;
        }
        long prot = level == 1 ? pp.pudPgprot(d) : pp.pmdPgprot(d);
        if ((prot & Desc.TABLE_BIT) == 0) {
            add(String.format("pmd_pgprot(0x%016x) = 0x%x is not a base-PTE pgprot (type bits 01)", d, prot));
            return;
        }
        long pfn = pp.pfn(d);
        long pte = pp.pfnPte(pfn, prot);
        if (Desc.pgprot(pte) != Desc.mkPageType(Desc.pgprot(d))) {
            add(String.format("pfn_pte(pfn, pmd_pgprot(0x%016x)) = 0x%016x changes the attributes", d, pte));
        }
        long back = pp.pmdMkhuge(level == 1 ? pp.pfnPud(pfn, prot) : pp.pfnPmd(pfn, prot));
        if (back != d) {
            add(String.format("pfn_pmd(pmd_pfn, pmd_pgprot) of 0x%016x gives 0x%016x", d, back));
        }
    }
}
