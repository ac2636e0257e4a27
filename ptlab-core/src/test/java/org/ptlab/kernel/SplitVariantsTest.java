package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;

class SplitVariantsTest {
    static final long G = 1L << 30;

    static Kernel boot(String split) {
        KernelConfig c = Walks.bbml2(Granule.G4K, 48);
        c.variants = c.variants.with("split=" + split);
        return Kernel.boot(c, MemoryLayout.ofSize(4 * G));
    }

    /** A 2 MiB area and four 64K areas, all set read-only: the allocator hands out contiguous pages. */
    static Kernel run(String split) {
        Kernel k = boot(split);
        VmStruct pack = k.vmalloc.vmalloc(2 << 20, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "bpf pack");
        assertThat(pack.pages[0] & ((2 << 20) - 1)).isZero();
        assertThat(pack.pages[511]).isEqualTo(pack.pages[0] + (511L << 12));
        assertThat(k.pageAttr.setMemoryRo(pack.addr, 512)).isZero();
        for (int i = 0; i < 4; i++) {
            VmStruct m = k.vmalloc.vmalloc(64 << 10, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "mod" + i);
            assertThat(k.pageAttr.setMemoryRo(m.addr, 16)).isZero();
            for (int p = 0; p < 16; p++) {
                assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(m.pages[p])))).isTrue();
            }
        }
        for (int p = 0; p < 512; p++) {
            assertThat(Desc.rdonly(Walks.desc(k, k.physToVirt(pack.pages[p])))).isTrue();
        }
        assertThat(Walks.recount(k)).containsExactly(k.directMapBytes());
        return k;
    }

    @Test
    void minimalUsesFewerTablesThanUpstreamWhichUsesFewerThanSeed003() {
        Kernel up = run("upstream");
        Kernel min = run("minimal");
        Kernel s3 = run("seed003-v2");
        assertThat(min.linearTablePages()).isLessThan(up.linearTablePages());
        assertThat(up.linearTablePages()).isLessThanOrEqualTo(s3.linearTablePages());
        // minimal keeps the 2M block and the whole 64K CONT ranges
        assertThat(min.directMap.bytes(MapSize.CONT_PTE)).isGreaterThan(up.directMap.bytes(MapSize.CONT_PTE));
        assertThat(up.directMap.bytes(MapSize.PTE)).isGreaterThan(min.directMap.bytes(MapSize.PTE));
        // seed 003 v2 paints no CONT with rodata=full
        assertThat(s3.directMap.bytes(MapSize.CONT_PTE) + s3.directMap.bytes(MapSize.CONT_PMD)).isZero();
    }

    @Test
    void seed003TakesTheMmapLockAndFlushesUpstreamDoesNot() {
        for (String v : new String[] {"upstream", "seed003-v2"}) {
            Kernel k = boot(v);
            java.util.List<String> seen = new java.util.ArrayList<>();
            k.pg.addObserver(new org.ptlab.pgtable.PgtableObserver() {
                boolean inSplit;

                @Override
                public void onLock(int cpu, org.ptlab.pgtable.KLock l, boolean acq) {
                    if (acq) {
                        seen.add(l.name);
                    }
                }

                @Override
                public void onOp(int cpu, String name, long a, long b, boolean begin) {
                    if (name.startsWith("split_")) {
                        inSplit = begin;
                    }
                }

                @Override
                public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long va, long pages, int asid) {
                    if (inSplit) {
                        seen.add("tlbi");
                    }
                }
            });
            long va = k.physToVirt(0x1_0000_0000L + 0x5000);
            assertThat(k.pageAttr.setMemoryValid(va, 1, false)).isZero();
            if (v.equals("upstream")) {
                assertThat(seen).contains("pgtable_split_lock").doesNotContain("tlbi", "init_mm.mmap_lock");
            } else {
                assertThat(seen).contains("init_mm.mmap_lock", "tlbi").doesNotContain("pgtable_split_lock");
            }
        }
    }
}
