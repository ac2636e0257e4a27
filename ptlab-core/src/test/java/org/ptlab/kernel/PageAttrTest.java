package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;

class PageAttrTest {
    static final long G = 1L << 30;

    static Kernel boot(KernelConfig c, long mem) {
        return Kernel.boot(c, MemoryLayout.ofSize(mem));
    }

    @Test
    void setMemoryRoChangesVmallocRangeAndLinearAliasOnly() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48), 4 * G);
        assertThat(k.linearMapRequiresBbml2).isTrue();
        long[] before = k.directMapBytes();
        VmStruct a = k.vmalloc.vmalloc(64 << 10, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "t");
        assertThat(a).isNotNull();
        assertThat(k.pageAttr.setMemoryRo(a.addr, 16)).isZero();
        for (int i = 0; i < 16; i++) {
            assertThat(Desc.rdonly(Walks.desc(k, a.addr + i * 4096L))).isTrue();
            assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(a.pages[i])))).isTrue();
        }
        long next = k.physToVirt(a.pages[15]) + 4096;
        assertThat(Desc.rdonly(Walks.desc(k, next))).isFalse();
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
        long sum = 0;
        long sum0 = 0;
        for (int i = 0; i < before.length; i++) {
            sum += k.directMapBytes()[i];
            sum0 += before[i];
        }
        assertThat(sum).isEqualTo(sum0);
        // vfree resets the alias
        k.vmalloc.vfree(a);
        for (int i = 0; i < 16; i++) {
            assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(a.pages[i])))).isFalse();
            assertThat(Desc.valid(Walks.desc(k, k.physToVirt(a.pages[i])))).isTrue();
        }
        assertThat(Walks.desc(k, a.addr)).isZero();
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
    }

    @Test
    void argumentChecks() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48), 2 * G);
        long lin = k.physToVirt(0x8000_0000L);
        assertThat(k.pageAttr.setMemoryRo(lin, 1)).isEqualTo(-Errno.EINVAL);
        VmStruct a = k.vmalloc.vmalloc(8 << 10, 0, 0, false, "t");
        assertThat(k.pageAttr.setMemoryRo(a.addr, 4)).isEqualTo(-Errno.EINVAL); // past the area (size includes the guard page)
        assertThat(k.pageAttr.setMemoryRo(a.addr, 0)).isZero();
        assertThat(k.pageAttr.setMemoryX(a.addr + 1, 1)).isZero(); // aligned down, WARN
        assertThat(k.warnings).anyMatch(w -> w.contains("unaligned"));
        assertThat(Desc.valid(Walks.desc(k, a.addr)) && (Walks.desc(k, a.addr) & Desc.PXN) == 0).isTrue();
        VmStruct h = k.vmalloc.vmalloc(2 << 20, VmStruct.VM_ALLOW_HUGE_VMAP, 9, false, "h");
        assertThat(Walks.leaf(k, h.addr)[0]).isEqualTo(2);
        assertThat(k.pageAttr.setMemoryRo(h.addr, 1)).isEqualTo(-Errno.EINVAL);
    }

    @Test
    void fourKInsideOneGigBlockTakesTwoTables() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48), 4 * G);
        long va = k.physToVirt(0x1_0000_0000L) + 0x12_3000L;
        assertThat(Walks.leaf(k, va)[0]).isEqualTo(1);
        long alloc0 = k.pg.allocations();
        long pte0 = k.directMap.bytes(MapSize.PTE);
        assertThat(k.pageAttr.setMemoryValid(va, 1, false)).isZero();
        assertThat(k.pg.allocations() - alloc0).isEqualTo(2);
        long d = Walks.desc(k, va);
        assertThat(Desc.valid(d)).isFalse();
        assertThat(Desc.present(d)).isTrue();
        assertThat(Desc.cont(d)).isFalse();
        assertThat(Desc.cont(Walks.desc(k, va + 0x10000))).isTrue();
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
        assertThat(k.directMap.bytes(MapSize.PTE) - pte0).isEqualTo(64 << 10);
        assertThat(k.pageAttr.kernelPagePresent(k.virtToPhys(va))).isFalse();
        assertThat(k.pageAttr.setMemoryValid(va, 1, true)).isZero();
        assertThat(Desc.valid(Walks.desc(k, va))).isTrue();
        assertThat(k.directMap.bytes(MapSize.PTE) - pte0).isEqualTo(64 << 10); // validity never moves counters
    }

    @Test
    void partialLeafWithoutBbml2IsRefused() {
        KernelConfig c = new KernelConfig();
        c.rodata = Rodata.NOALIAS;
        Kernel k = boot(c, 4 * G);
        long va = k.physToVirt(0x1_0000_0000L) + 0x12_3000L;
        assertThat(Walks.leaf(k, va)[0]).isEqualTo(1);
        long d0 = Walks.desc(k, va);
        assertThat(k.pageAttr.setMemoryValid(va, 1, false)).isEqualTo(-Errno.EINVAL);
        assertThat(Walks.desc(k, va)).isEqualTo(d0);
        assertThat(k.warnings).anyMatch(w -> w.contains("only partly inside"));
    }

    @Test
    void withoutBbml2RodataFullIsPteMappedAndNeverSplits() {
        KernelConfig c = new KernelConfig(); // cpu max: no BBML2
        Kernel k = boot(c, 1 * G);
        assertThat(k.forcePteMapping).isTrue();
        VmStruct a = k.vmalloc.vmalloc(16 << 10, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "m");
        long alloc0 = k.pg.allocations();
        assertThat(k.pageAttr.setMemoryRo(a.addr, 4)).isZero();
        assertThat(k.pg.allocations()).isEqualTo(alloc0);
        assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(a.pages[0])))).isTrue();
    }

    @Test
    void lateCapabilityRepaintsToPtes() {
        KernelConfig c = new KernelConfig();
        c.cpus = new java.util.ArrayList<>(List.of(Cpu.parse("neoverse-v3"), Cpu.parse("neoverse-n1")));
        Kernel k = boot(c, 2 * G);
        assertThat(k.linearMapRequiresBbml2).isTrue();
        assertThat(k.repaintedAtBoot).isTrue();
        assertThat(k.directMap.bytes(MapSize.PUD)).isZero();
        assertThat(k.directMap.bytes(MapSize.CONT_PMD)).isZero();
        // 7.2 maps the alias with the linear map's flags and the repaint keeps [_stext, __init_begin)
        assertThat(k.directMap.bytes(MapSize.CONT_PTE) + k.directMap.bytes(MapSize.PMD))
                .isLessThanOrEqualTo(k.mem.initBegin() - k.mem.stext());
        // a permission change does not split at runtime (system lacks BBML2): nothing to split anyway
        long va = k.physToVirt(0x6000_0000L);
        long alloc0 = k.pg.allocations();
        assertThat(k.pageAttr.setMemoryValid(va, 1, false)).isZero();
        assertThat(k.pg.allocations()).isEqualTo(alloc0);
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
    }

    @Test
    void secretmemNoflushDoesNotFlush() {
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48), 1 * G);
        long pa = k.pageAlloc.allocPages(0);
        int[] tlbis = new int[1];
        k.pg.addObserver(new org.ptlab.pgtable.PgtableObserver() {
            @Override
            public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long va, long pages, int asid) {
                tlbis[0]++;
            }
        });
        assertThat(k.pageAttr.setDirectMapInvalidNoflush(pa)).isZero();
        assertThat(tlbis[0]).isZero();
        assertThat(k.pageAttr.kernelPagePresent(pa)).isFalse();
        assertThat(k.pageAttr.setDirectMapDefaultNoflush(pa)).isZero();
        assertThat(k.pageAttr.kernelPagePresent(pa)).isTrue();
        assertThat(tlbis[0]).isZero();
        assertThat(k.pageAttr.setDirectMapValidNoflush(pa, 1, false)).isZero();
        assertThat(tlbis[0]).isPositive(); // set_memory_valid flushes on invalidation despite the name
    }

    @Test
    void aliasSplitFailureIsReturnedFrom72() {
        // 7.2 pageattr.c change_memory_common(): the alias loop returns its first error, before the
        // vmalloc range is changed (6.1/6.12 ignored it and changed the vmalloc range)
        Kernel k = boot(Walks.bbml2(Granule.G4K, 48), 4 * G);
        long pa = 0x1_0000_0000L + 0x5000;
        VmStruct a = k.vmalloc.vmallocPages(new long[] {pa}, VmStruct.VM_FLUSH_RESET_PERMS, true, "m");
        k.pg.failNthAllocation(1); // the PUD split of the alias fails
        assertThat(k.pageAttr.setMemoryRo(a.addr, 1)).isEqualTo(-Errno.ENOMEM);
        assertThat(Desc.rdonly(Walks.desc(k, a.addr))).isFalse();
        assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(pa)))).isFalse(); // the alias stays writable
        assertThat(k.warnings).anyMatch(w -> w.contains("-ENOMEM"));
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
    }
}
