package org.ptlab.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.check.PgprotContract;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.check.UserInvariants;
import org.ptlab.check.UserRefModel;
import org.ptlab.check.Violation;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;

/** remap_pfn_range with PMD/PUD leaves, split, fork, zap and the deposit lifecycle (seed 004). */
class UserPfnmapTest {
    static final long K4 = 4096;
    static final long M2 = 2L << 20;
    static final long G1 = 1L << 30;
    static final int RW = UserProt.VM_READ | UserProt.VM_WRITE;

    final Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 64);
    UserSpace us;
    PgprotContract contract;
    final Map<Integer, UserRefModel> refs = new HashMap<>();

    UserSpace space(PfnmapVariant v) {
        UserConfig c = new UserConfig();
        c.variant = v;
        us = new UserSpace(pg, new TlbFlush(pg, false), c);
        contract = new PgprotContract(us);
        pg.addObserver(contract);
        return us;
    }

    Mm newMm() {
        Mm mm = us.mmAlloc();
        refs.put(mm.id, new UserRefModel(12));
        return mm;
    }

    long mmapPfn(Mm mm, long addr, long len, long pfn) {
        long a = us.mmapPfn(mm, addr, len, RW, UserProt.Cache.DEVICE, pfn);
        assertThat(a).as("mmapPfn").isPositive();
        UserRefModel r = refs.get(mm.id);
        r.mmap(a, len, RW, UserProt.Cache.DEVICE, false, pfn);
        r.remap(a, pfn, len, UserProt.pageProt(RW | UserProt.VM_SHARED, UserProt.Cache.DEVICE));
        return a;
    }

    void assertClean() {
        List<Violation> v = new ArrayList<>(UserInvariants.check(us, refs));
        v.addAll(contract.violations());
        assertThat(v).isEmpty();
    }

    /** Leaves by level in [start, end). */
    long[] leaves(Mm mm, long start, long end) {
        long[] n = new long[4];
        TableWalk.walk(pg, mm.pgd, start, end, new TableWalk.Visitor() {
            @Override
            public void leaf(long va, int level, long desc, long table, int idx) {
                n[level]++;
            }
        });
        return n;
    }

    long pte(Mm mm, long va) {
        long[] d = new long[1];
        TableWalk.walk(pg, mm.pgd, va, va + K4, new TableWalk.Visitor() {
            @Override
            public void leaf(long a, int level, long desc, long table, int idx) {
                d[0] = desc;
            }
        });
        return d[0];
    }

    @Test
    void variantsAreListedUnderPfnmapAndSelectable() {
        org.ptlab.kernel.VariantRegistry.Family f = org.ptlab.kernel.VariantRegistry.builtIn().family("pfnmap");
        assertThat(f.members()).extracting(org.ptlab.kernel.Variant::name)
                .containsExactly("seed004-v4", "seed004-v2", "seed004-v4-oldprot");
        // the registry's list is the user package's enum: names, default and descriptions agree
        for (PfnmapVariant v : PfnmapVariant.values()) {
            assertThat(f.member(v.label).description()).isEqualTo(v.description);
            assertThat(f.isDefault(f.member(v.label))).isEqualTo(v.isDefault);
        }
        org.ptlab.kernel.Variants sel = org.ptlab.kernel.Variants.none();
        assertThat(org.ptlab.check.UserVariants.config(sel).variant).isEqualTo(PfnmapVariant.SEED004_V4);
        sel = sel.with("pfnmap=seed004-v2");
        assertThat(org.ptlab.check.UserVariants.config(sel).variant).isEqualTo(PfnmapVariant.SEED004_V2);
    }

    @Test
    void alignedRemapUsesPmdLeavesWithOneDepositEach() {
        space(PfnmapVariant.SEED004_V4);
        us.cfg.pudPfnmap = false;
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, 8 * M2, 0x80000);
        assertThat(a % M2).isZero();
        assertThat(leaves(mm, a, a + 8 * M2)).containsExactly(0, 0, 8, 0);
        assertThat(pg.counterValue(mm.deposited)).isEqualTo(8);
        assertClean();
        assertThat(contract.checked()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void misalignedPfnOrVaFallsBackToPtes() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, 4 * M2, 0x80001); // PFN not 2M aligned
        assertThat(leaves(mm, a, a + 4 * M2)).containsExactly(0, 0, 0, 4 * 512);
        long b = mmapPfn(mm, 0x7000_0000_1000L, 4 * M2, 0x90001); // VA not 2M aligned (PA congruent): 3 PMDs inside, PTE edges
        assertThat(leaves(mm, b, b + 4 * M2)).containsExactly(0, 0, 3, 511 + 1);
        assertThat(pg.counterValue(mm.deposited)).isEqualTo(3);
        assertClean();
    }

    @Test
    void emptyPteTableLeftByAFailedRemapIsFreedForAPmdLeaf() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = us.mmap(mm, 0x4000_0000L, 4 * M2, RW, UserProt.Cache.DEVICE, false, 0);
        refs.get(mm.id).mmap(a, 4 * M2, RW, UserProt.Cache.DEVICE, false, 0);
        long prot = mm.findVma(a).pageProt;
        // PUD table, PMD table, PTE table for [a+4K, a+2M), then the PTE table for a+2M fails:
        // remap_pfn_range zaps what it mapped, the PTE table at a stays, empty
        pg.failNthAllocation(4);
        assertThat(us.remapPfnRange(mm, a + K4, 0x80001, M2, prot)).isEqualTo(-UserSpace.ENOMEM);
        pg.failNthAllocation(0);
        assertThat(pg.pages(mm.owner)).isEqualTo(4);
        assertClean();
        // the try-path frees the empty PTE table (pmd_free_pte_page) and installs a PMD leaf
        assertThat(us.remapPfnRange(mm, a, 0x80000, M2, prot)).isZero();
        refs.get(mm.id).remap(a, 0x80000, M2, prot);
        assertThat(leaves(mm, a, a + M2)).containsExactly(0, 0, 1, 0);
        assertThat(pg.pages(mm.owner)).isEqualTo(4); // pgd, PUD, PMD tables and the deposit
        assertClean();
    }

    @Test
    void sixteenKAndSixtyFourKGranulesUseTheirPmdSizeAndNoPud() {
        for (Granule gr : new Granule[] {Granule.G16K, Granule.G64K}) {
            Pgtable p = new Pgtable(Geometry.of(gr, 48), 64);
            UserSpace u = new UserSpace(p, new TlbFlush(p, false), new UserConfig());
            Mm mm = u.mmAlloc();
            long pmd = p.geo.entrySize(2);
            long pfn = (64L << 30) >>> p.geo.pageShift;
            long a = u.mmapPfn(mm, 0, 2 * pmd, RW, UserProt.Cache.DEVICE, pfn);
            assertThat(a % pmd).isZero();
            assertThat(u.mprotect(mm, a + 3 * p.geo.pageSize, p.geo.pageSize, UserProt.VM_READ)).isZero();
            long[] n = new long[4];
            TableWalk.walk(p, mm.pgd, a, a + 2 * pmd, new TableWalk.Visitor() {
                @Override
                public void leaf(long va, int level, long desc, long table, int idx) {
                    n[level]++;
                }
            });
            assertThat(n).as(gr.label).containsExactly(0, 0, 1, p.geo.ptrsPerTable);
            assertThat(p.counterValue(mm.deposited)).isEqualTo(1);
            UserRefModel ref = new UserRefModel(p.geo.pageShift);
            ref.mmap(a, 2 * pmd, RW, UserProt.Cache.DEVICE, false, pfn);
            ref.remap(a, pfn, 2 * pmd, UserProt.pageProt(RW | UserProt.VM_SHARED, UserProt.Cache.DEVICE));
            ref.mprotect(a + 3 * p.geo.pageSize, p.geo.pageSize, UserProt.VM_READ);
            assertThat(UserInvariants.check(u, mm, ref)).as(gr.label).isEmpty();
            u.exit(mm);
            assertThat(p.livePages()).isZero();
        }
    }

    @Test
    void pudLeavesWhenAlignedToOneGiB() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, 2 * G1 + M2, 0x4000000L); // 256 GiB PA, 1G aligned
        assertThat(a % G1).isZero();
        assertThat(leaves(mm, a, a + 2 * G1 + M2)).containsExactly(0, 2, 1, 0);
        assertThat(pg.counterValue(mm.deposited)).isEqualTo(3);
        assertClean();
    }

    @Test
    void noHugeLeavesInVmaWithFaultHandlerButFaultInsertsThem() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = us.mmap(mm, 0, 4 * M2, RW, UserProt.Cache.DEVICE, true, 0x100000);
        refs.get(mm.id).mmap(a, 4 * M2, RW, UserProt.Cache.DEVICE, true, 0x100000);
        // the v4 restriction: remap_pfn_range in a VMA with a fault handler writes PTEs only
        assertThat(us.remapPfnRange(mm, a, 0x200000, 2 * M2, mm.findVma(a).pageProt)).isZero();
        refs.get(mm.id).remap(a, 0x200000, 2 * M2, mm.findVma(a).pageProt);
        assertThat(leaves(mm, a, a + 2 * M2)).containsExactly(0, 0, 0, 1024);
        // fault-time insertion: vmf_insert_pfn_pmd, no deposit
        assertThat(us.fault(mm, a + 3 * M2 + 5 * K4)).isZero();
        assertThat(leaves(mm, a + 2 * M2, a + 4 * M2)).containsExactly(0, 0, 1, 0);
        assertThat(pg.counterValue(mm.deposited)).isZero();
        assertClean();
        // split of the fault-inserted PMD drops it (the handler refills on the next fault)
        assertThat(us.mprotect(mm, a + 3 * M2, K4, UserProt.VM_READ)).isZero();
        refs.get(mm.id).mprotect(a + 3 * M2, K4, UserProt.VM_READ);
        assertThat(pte(mm, a + 3 * M2 + M2 / 2)).isZero();
        assertThat(us.fault(mm, a + 3 * M2 + M2 / 2)).isZero();
        assertThat(us.fault(mm, a + 3 * M2)).isZero();
        assertThat(Desc.rdonly(pte(mm, a + 3 * M2)) && (pte(mm, a + 3 * M2) & Desc.WRITE) == 0).isTrue();
        assertClean();
    }

    @Test
    void mprotectOfOnePageSplitsThePmdInto511OldAnd1New() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, M2, 0x80000);
        assertThat(leaves(mm, a, a + M2)).containsExactly(0, 0, 1, 0);
        long mid = a + 256 * K4;
        assertThat(us.mprotect(mm, mid, K4, UserProt.VM_READ)).isZero();
        refs.get(mm.id).mprotect(mid, K4, UserProt.VM_READ);
        assertThat(leaves(mm, a, a + M2)).containsExactly(0, 0, 0, 512);
        int ro = 0;
        int rw = 0;
        for (long va = a; va < a + M2; va += K4) {
            long d = pte(mm, va);
            assertThat(d & Desc.TYPE_MASK).isEqualTo(Desc.TYPE_PAGE);
            assertThat(d & Desc.CONT).isZero();
            assertThat((d & Desc.OA_MASK) >>> 12).isEqualTo(0x80000 + ((va - a) >>> 12));
            assertThat(d & Desc.SPECIAL).isNotZero();
            if ((d & Desc.WRITE) != 0) {
                rw++;
            } else {
                ro++;
                assertThat(va).isEqualTo(mid);
            }
        }
        assertThat(rw).isEqualTo(511);
        assertThat(ro).isEqualTo(1);
        assertThat(mm.vmas()).hasSize(3);
        // the deposit became the PTE table: none left, one table more linked
        assertThat(pg.counterValue(mm.deposited)).isZero();
        assertClean();
    }

    @Test
    void partialMunmapSplitsAndFreesEverythingAtExit() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, G1 + 4 * M2, 0x4000000L);
        assertThat(us.munmap(mm, a + 3 * M2 + 7 * K4, M2)).isZero();
        refs.get(mm.id).munmap(a + 3 * M2 + 7 * K4, M2);
        assertClean();
        assertThat(us.munmap(mm, a + G1 + M2, M2)).isZero();
        refs.get(mm.id).munmap(a + G1 + M2, M2);
        assertClean();
        us.exit(mm);
        refs.remove(mm.id);
        assertThat(pg.pages(mm.owner)).isZero();
        assertThat(pg.counterValue(mm.pgtablesBytes)).isZero();
        assertThat(pg.livePages()).isZero();
        assertClean();
    }

    @Test
    void forkDepositsForTheChildAndBothSplitAndExitCleanly() {
        space(PfnmapVariant.SEED004_V4);
        Mm parent = newMm();
        long a = mmapPfn(parent, 0, G1 + 8 * M2, 0x4000000L);
        Mm child = us.fork(parent);
        refs.put(child.id, refs.get(parent.id).fork());
        assertThat(pg.counterValue(child.deposited)).isEqualTo(pg.counterValue(parent.deposited)).isEqualTo(9);
        assertClean();
        assertThat(us.mprotect(child, a + G1 + 3 * K4, K4, UserProt.VM_READ)).isZero();
        refs.get(child.id).mprotect(a + G1 + 3 * K4, K4, UserProt.VM_READ);
        assertThat(us.mprotect(child, a + 5 * K4, K4, UserProt.VM_READ)).isZero(); // splits the PUD, then a PMD
        refs.get(child.id).mprotect(a + 5 * K4, K4, UserProt.VM_READ);
        assertClean();
        us.exit(child);
        refs.remove(child.id);
        us.exit(parent);
        refs.remove(parent.id);
        assertThat(pg.livePages()).isZero();
        assertClean();
    }

    @Test
    void seed004V2ForkIsCaught() {
        space(PfnmapVariant.SEED004_V2);
        us.cfg.pudPfnmap = false;
        Mm parent = newMm();
        long a = mmapPfn(parent, 0, 4 * M2, 0x80000);
        Mm child = us.fork(parent);
        refs.put(child.id, refs.get(parent.id).fork());
        // the checker sees the missing deposits right after fork
        assertThat(UserInvariants.check(us, refs)).extracting(Violation::invariant).contains("deposit");
        // and the child's split finds no deposited table (the syzbot crash)
        assertThatThrownBy(() -> us.mprotect(child, a + K4, K4, UserProt.VM_READ))
                .isInstanceOf(UserBug.class).hasMessageContaining("no page table deposited");
    }

    @Test
    void seed004V2TeardownOfTheChildIsCaught() {
        space(PfnmapVariant.SEED004_V2);
        us.cfg.pudPfnmap = false;
        Mm parent = newMm();
        mmapPfn(parent, 0, 4 * M2, 0x80000);
        Mm child = us.fork(parent);
        assertThatThrownBy(() -> us.exit(child)).isInstanceOf(UserBug.class).hasMessageContaining("pgtable_trans_huge_withdraw");
    }

    @Test
    void defaultVariantForkThenChildSplitIsClean() {
        space(PfnmapVariant.SEED004_V4);
        us.cfg.pudPfnmap = false;
        Mm parent = newMm();
        long a = mmapPfn(parent, 0, 4 * M2, 0x80000);
        Mm child = us.fork(parent);
        refs.put(child.id, refs.get(parent.id).fork());
        assertThat(us.mprotect(child, a + K4, K4, UserProt.VM_READ)).isZero();
        refs.get(child.id).mprotect(a + K4, K4, UserProt.VM_READ);
        us.exit(child);
        refs.remove(child.id);
        assertClean();
    }

    @Test
    void oldPgprotHelpersBreakTheContractAndTheSplitPtes() {
        space(PfnmapVariant.SEED004_V4_OLDPROT);
        us.cfg.pudPfnmap = false;
        Mm mm = newMm();
        long a = mmapPfn(mm, 0, M2, 0x80000);
        assertThat(contract.violations()).extracting(Violation::message).anyMatch(m -> m.contains("not a base-PTE pgprot"));
        us.mprotect(mm, a + K4, K4, UserProt.VM_READ);
        refs.get(mm.id).mprotect(a + K4, K4, UserProt.VM_READ);
        assertThat(contract.violations()).extracting(Violation::message).anyMatch(m -> m.contains("huge (block) type bits"));
        assertThat(UserInvariants.check(us, refs)).extracting(Violation::invariant).contains("pgprot");
    }

    @Test
    void remapFailureLeavesNothingMappedAndNothingLeaked() {
        space(PfnmapVariant.SEED004_V4);
        Mm mm = newMm();
        long a = us.mmap(mm, 0, 3 * M2, RW, UserProt.Cache.DEVICE, false, 0);
        refs.get(mm.id).mmap(a, 3 * M2, RW, UserProt.Cache.DEVICE, false, 0);
        for (int n = 1; n < 8; n++) {
            pg.failNthAllocation(n);
            int rc = us.remapPfnRange(mm, a + 5 * K4, 0x80005, 2 * M2, mm.findVma(a).pageProt);
            pg.failNthAllocation(0);
            if (rc == 0) {
                refs.get(mm.id).remap(a + 5 * K4, 0x80005, 2 * M2, mm.findVma(a).pageProt);
                assertClean();
                break;
            }
            assertThat(rc).isEqualTo(-UserSpace.ENOMEM);
            assertClean();
        }
        us.exit(mm);
        refs.remove(mm.id);
        assertThat(pg.livePages()).isZero();
    }
}
