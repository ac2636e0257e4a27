package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * change_memory_common() and VM_ALLOW_HUGE_VMAP areas per release (docs/kernel-versions.md): 6.1 and
 * 6.12 test VM_ALLOC only, so a huge-allowed area backed by pages is changed like any other and a
 * PMD-mapped one fails in apply_to_page_range() (-EINVAL, WARN) after its alias loop; 7.2 refuses both.
 */
class HugeVmapPageAttrTest {
    static Kernel boot(KernelVersion v) {
        KernelConfig c = new KernelConfig();
        c.version = v;
        c.cpus.clear();
        c.cpus.add(Cpu.parse("cortex-a57"));
        return Kernel.boot(c, MemoryLayout.ofSize(2L << 30));
    }

    @Test
    void pageBackedHugeAllowedAreaPerRelease() {
        for (KernelVersion v : new KernelVersion[] {KernelVersion.V6_1, KernelVersion.V6_12, KernelVersion.V7_2}) {
            Kernel k = boot(v);
            VmStruct a = k.vmalloc.vmalloc(64 << 10, VmStruct.VM_ALLOW_HUGE_VMAP, 0, false, "t");
            int rc = k.pageAttr.setMemoryRo(a.addr, 16);
            assertThat(rc).as(v.label).isEqualTo(v == KernelVersion.V7_2 ? -Errno.EINVAL : 0);
            assertThat(k.warnCount).as(v.label).isZero();
        }
    }

    @Test
    void pmdMappedAreaFailsInTheWalkOn6x() {
        Kernel k = boot(KernelVersion.V6_12);
        VmStruct a = k.vmalloc.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP, 9, false, "t");
        assertThat(k.pageAttr.setMemoryRo(a.addr, 512)).isEqualTo(-Errno.EINVAL);
        assertThat(k.warnCount).isPositive();
        Kernel k72 = boot(KernelVersion.V7_2);
        VmStruct b = k72.vmalloc.vmalloc(2L << 20, VmStruct.VM_ALLOW_HUGE_VMAP, 9, false, "t");
        assertThat(k72.pageAttr.setMemoryRo(b.addr, 512)).isEqualTo(-Errno.EINVAL);
        assertThat(k72.warnCount).isZero();
    }
}
