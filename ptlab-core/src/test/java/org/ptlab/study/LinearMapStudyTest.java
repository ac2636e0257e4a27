package org.ptlab.study;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ptlab.arch.MapSize;
import org.ptlab.hw.Presets;
import org.ptlab.run.KernelHw;

class LinearMapStudyTest {
    @Test
    void blockMappedLinearMapMissesLessOnTheSameTrace() {
        LinearMapStudy.Params p = new LinearMapStudy.Params();
        p.mem = 2L << 30;
        p.accesses = 200_000;
        p.warmup = 50_000;
        p.zipfS = 1.0;
        LinearMapStudy.Result r = LinearMapStudy.run(Presets.get(Presets.DEFAULT), p);
        assertThat(r.pte().kernel().directMap.bytes(MapSize.PMD) + r.pte().kernel().directMap.bytes(MapSize.PUD)).isZero();
        assertThat(r.block().kernel().directMap.bytes(MapSize.PUD)).isPositive();
        int last = r.pte().stats().lastLevel();
        assertThat(r.pte().stats().accesses).isEqualTo(200_000);
        assertThat(r.block().stats().accesses).isEqualTo(200_000);
        assertThat(r.block().stats().tlbMisses[last]).isLessThan(r.pte().stats().tlbMisses[last] / 10);
        assertThat(r.block().stats().mpki(last, 3)).isLessThan(r.pte().stats().mpki(last, 3));
        assertThat(r.block().stats().cycles).isLessThan(r.pte().stats().cycles);
        String text = LinearMapStudy.format(r);
        assertThat(text).contains("PTE-mapped").contains("block-mapped").contains("L2-TLB MPKI").contains("DirectMap1G");
    }

    @Test
    void kernelHwTakesBbml2FromTheKernelsCpus() {
        org.ptlab.kernel.KernelConfig cfg = new org.ptlab.kernel.KernelConfig();
        cfg.cpus = new java.util.ArrayList<>(java.util.List.of(org.ptlab.kernel.Cpu.parse("neoverse-v3"), org.ptlab.kernel.Cpu.parse("cortex-a57")));
        org.ptlab.kernel.Kernel k = org.ptlab.kernel.Kernel.boot(cfg, org.ptlab.kernel.MemoryLayout.ofSize(256L << 20));
        org.ptlab.hw.HwModel hw = KernelHw.attach(k, Presets.get(Presets.DEFAULT));
        assertThat(hw.cpuCount()).isEqualTo(2);
        assertThat(hw.cpu(0).bbml2NoAbort()).isTrue();
        assertThat(hw.cpu(1).bbml2NoAbort()).isFalse();
        long va = k.physToVirt(org.ptlab.kernel.MemoryLayout.DEFAULT_RAM_BASE + (128L << 20));
        assertThat(hw.access(1, va, org.ptlab.hw.HwModel.LOAD)).isEqualTo(org.ptlab.kernel.MemoryLayout.DEFAULT_RAM_BASE + (128L << 20));
    }
}
