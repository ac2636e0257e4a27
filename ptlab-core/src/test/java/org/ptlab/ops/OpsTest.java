package org.ptlab.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.ptlab.arch.Desc;
import org.ptlab.check.Invariants;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;
import org.junit.jupiter.api.Test;

class OpsTest {
    static Kernel boot() {
        return Kernel.boot(new KernelConfig(), MemoryLayout.ofSize(1L << 30));
    }

    /** The leaf descriptor mapping va (peek walk). */
    static long leaf(Kernel k, long va) {
        long table = k.swapper;
        for (int level = k.geo.startLevel; level <= 3; level++) {
            long d = k.pg.peek(table, k.geo.index(level, va));
            if (level == 3 || !Desc.isTable(d)) {
                return d;
            }
            table = org.ptlab.pgtable.Pgtable.tablePa(d);
        }
        return 0;
    }

    @Test
    void setMemoryRoIsTheKernelsCallAndRefusesALinearAddressWhereChangeMemoryCommonDoesNot() {
        Kernel k = boot();
        long lm = k.physToVirt(k.mem.memory().get(0).end() - (4L << 20));
        assertThat(Ops.call(k, "set_memory_ro", lm, 1)).isEqualTo(-Errno.EINVAL);
        assertThat(Desc.rdonly(leaf(k, lm))).isFalse();
        assertThat(Ops.call(k, "__change_memory_common", lm, 1, Param.RO)).isZero();
        assertThat(Desc.rdonly(leaf(k, lm))).isTrue();
        assertThat(Ops.call(k, "__change_memory_common", lm, 1, Param.RW)).isZero();
        assertThat(Desc.rdonly(leaf(k, lm))).isFalse();
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void setMemoryRoOnAVmallocAreaAlsoChangesTheLinearAlias() {
        Kernel k = boot();
        VmStruct v = k.vmalloc.vmalloc(4 * k.geo.pageSize, VmStruct.VM_FLUSH_RESET_PERMS, 0, false, "t");
        assertThat(Ops.call(k, "set_memory_ro", v.addr, 4)).isZero();
        assertThat(Desc.rdonly(leaf(k, v.addr))).isTrue();
        assertThat(Desc.rdonly(leaf(k, k.physToVirt(v.pages[0])))).isTrue(); // rodata=full
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void everyCallIsDeclaredOnceWithAUsageAndOptionalArgumentsTakeTheirDefaults() {
        Ops ops = Ops.catalogue();
        assertThat(ops.all()).extracting(Op::name).doesNotHaveDuplicates()
                .contains("set_memory_ro", "__change_memory_common", "split_kernel_leaf_mapping", "add_memory", "collapse_scan");
        for (Op op : ops.all()) {
            assertThat(op.usage()).startsWith(op.name());
            assertThat(op.help()).isNotBlank();
        }
        Op scan = ops.require("collapse_scan");
        assertThat(scan.required()).isZero();
        assertThat(scan.usage()).isEqualTo("collapse_scan [BYTES] [ALL=true|false]");
        assertThatThrownBy(() -> ops.require("set_memory_r")).hasMessageContaining("unknown call 'set_memory_r'")
                .hasMessageContaining("set_memory_ro");
        assertThatThrownBy(() -> ops.require("set_memory_ro").apply(boot(), 1)).hasMessageContaining("expected 2 arguments");
    }

    @Test
    void oneErrnoParser() {
        assertThat(Errno.parse("0")).isZero();
        assertThat(Errno.parse("-EINVAL")).isEqualTo(-22);
        assertThat(Errno.parse("ENOMEM")).isEqualTo(-12);
        assertThat(Errno.parse(" -EBUSY ")).isEqualTo(-16);
        assertThat(Errno.parse("EPERM")).isEqualTo(-1);
        assertThat(Errno.parse("-EEXIST")).isEqualTo(-17);
        assertThat(Errno.parse("E2BIG")).isEqualTo(-7);
        assertThatThrownBy(() -> Errno.parse("-EFAULT")).hasMessageContaining("expected 0, -EINVAL, -ENOMEM, -EBUSY, -EPERM, -EEXIST or -E2BIG");
    }

    @Test
    void argumentsParseByType() {
        assertThat(Param.req("pages", Param.Type.PAGES).parse("3")).isEqualTo(3);
        assertThat(Param.req("size", Param.Type.SIZE).parse("2M")).isEqualTo(2L << 20);
        assertThat(Param.req("prot", Param.Type.PROT).parse("ro")).isEqualTo(Param.RO);
        assertThat(Param.req("enable", Param.Type.BOOL).parse("false")).isZero();
        assertThatThrownBy(() -> Param.req("prot", Param.Type.PROT).parse("rx")).hasMessage("prot: expected ro or rw, got 'rx'");
        assertThatThrownBy(() -> Param.req("pages", Param.Type.PAGES).parse("x")).hasMessageContaining("expected a number of pages");
    }
}
