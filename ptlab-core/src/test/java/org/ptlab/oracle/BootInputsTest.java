package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/** The capture's inputs of the calls made before its probes: vmallocinfo, kernel-map.txt, kfence-objects, symbols. */
class BootInputsTest {
    static final String VMALLOCINFO = """
            0xffff800080000000-0xffff800080005000   20480 start_kernel+0x5d0/0x798 pages=4 vmalloc N0=4
            0xffff800080043000-0xffff800080045000    8192 alloc_insn_page+0x24/0x80 pages=1 vmalloc N0=1
            0xffff8000800ed000-0xffff8000802ee000 2101248 bpf_prog_pack_alloc+0x2f8/0x460 pages=512 vmalloc N0=512
            0xffff800080300000-0xffff800080302000    8192 unpurged vm_area
            """;

    @Test
    void pagesOfACallerComeFromTheWalkedKernelArea() {
        Geometry g = Geometry.of(Granule.G4K, 48);
        String km = "---[ Kernel Area start ]---\n"
                + "0xffff800080043000-0xffff800080044000        4K PTE ro     x  SHD AF            UXN     MEM/NORMAL  pa=0x460c5000\n"
                + "0xffff8000800ed000-0xffff8000802ed000        2M PTE ro     x  SHD AF            UXN     MEM/NORMAL  pa=0x45e00000\n"
                + "---[ Kernel Area end ]---\n";
        BootInputs in = new BootInputs(BootInputs.parseVmallocinfo(VMALLOCINFO, "v"), LinearMap.parse(km, "k", g), null, Map.of());
        assertThat(in.vmalloc()).hasSize(4);
        assertThat(in.pagesOf(List.of("alloc_insn_page"), 1, 4096)).containsExactly(0x460c5000L);
        long[] pack = in.pagesOf(List.of("bpf_jit_alloc_exec", "bpf_prog_pack_alloc"), 512, 4096);
        assertThat(pack).hasSize(512);
        assertThat(pack[0]).isEqualTo(0x45e00000L);
        assertThat(pack[511]).isEqualTo(0x45e00000L + 511 * 4096);
        // a caller that is not there, or pages the walk did not find: nothing (the model places them)
        assertThat(in.pagesOf(List.of("bpf_jit_alloc_exec"), 1, 4096)).isNull();
        assertThat(in.pagesOf(List.of("start_kernel"), 4, 4096)).isNull();
    }

    @Test
    void kfenceObjectsByAddressAndState() {
        Map<Long, BootInputs.KfenceState> m = BootInputs.parseKfence("""
                kfence-#0 unused
                kfence-#1: 0xfff0000004000000-0xfff000000400001f, size=32, cache=kmalloc-32
                allocated by task 1 on cpu 0 at 1.000000s (2.000000s ago):
                kfence-#2: 0xfff0000004002f80-0xfff0000004002fff, size=128, cache=kmalloc-128
                allocated by task 1 on cpu 0 at 1.000000s (2.000000s ago):
                freed by task 1 on cpu 0 at 1.500000s (1.500000s ago):
                kfence-#3: 0xfff0000004004000-0xfff000000400401f, size=32, cache=dentry
                allocated by task 1 on cpu 0 at 1.000000s (2.000000s ago):
                rcu freeing by task 1 on cpu 0 at 1.500000s (1.500000s ago):
                """, "k");
        assertThat(m).containsExactly(Map.entry(0xfff0000004000000L, BootInputs.KfenceState.ALLOCATED),
                Map.entry(0xfff0000004002f80L, BootInputs.KfenceState.FREED),
                Map.entry(0xfff0000004004000L, BootInputs.KfenceState.ALLOCATED));
    }

    @Test
    void badLinesNameFileAndLine() {
        assertThatThrownBy(() -> BootInputs.parseVmallocinfo("0xffff800080000000-0xffff800080001000 8192 x pages=1\n", "cap/vmallocinfo"))
                .hasMessage("cap/vmallocinfo:1: the range and its size 8192 do not agree");
        assertThatThrownBy(() -> BootInputs.parseVmallocinfo("\nnonsense\n", "cap/vmallocinfo"))
                .hasMessageStartingWith("cap/vmallocinfo:2: expected '0xSTART-0xEND SIZE CALLER ...'");
        assertThatThrownBy(() -> BootInputs.parseKfence("freed by task 1\n", "cap/kfence-objects"))
                .hasMessage("cap/kfence-objects:1: 'freed by' without a used object before it");
        assertThatThrownBy(() -> BootInputs.parseKfence("kfence-#1 unused\nkfence-#1 unused\n", "cap/kfence-objects"))
                .hasMessage("cap/kfence-objects:2: object #1 listed twice");
        assertThatThrownBy(() -> BootInputs.parseSymbols("ffffzz T _end\n", "cap/symbols"))
                .hasMessageStartingWith("cap/symbols:1: expected a hex address");
        assertThat(BootInputs.parseSymbols("ffff944f3fce6000 B __bss_stop\nffff944f3fd00000 B _end\n", "s"))
                .containsEntry("__bss_stop", 0xffff944f3fce6000L).containsEntry("_end", 0xffff944f3fd00000L);
    }
}
