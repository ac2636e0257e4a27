package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * nG kernel mappings forced by KASLR: kaslr_requires_kpti() (6.1 cpufeature.c; 6.12/7.2/7.3
 * asm/mmu.h) with a firmware seed, per boot CPU (FEAT_E0PD) and release.
 */
class KaslrNgTest {
    private static KernelConfig cfg(String kernel, String cpu, Boolean kaslr, String cmdline) {
        MachineSpec m = new MachineSpec();
        m.kernel = kernel;
        m.mem = "2G";
        m.cpu = cpu;
        m.kaslr = kaslr;
        m.cmdline = cmdline;
        return m.build().cfg();
    }

    @Test
    void aCpuWithoutE0pdGetsNonGlobalMappingsUnderKaslr() {
        for (String v : new String[] {"6.1", "6.12", "7.2", "7.3"}) {
            assertThat(cfg(v, "cortex-a57", true, "").kpti).as(v).isTrue();
            assertThat(cfg(v, "neoverse-n1", true, "").kpti).as(v).isTrue();
            assertThat(cfg(v, "max", true, "").kpti).as(v).isFalse();
            assertThat(cfg(v, "max:midr=0x410fd842", true, "").kpti).as(v).isFalse();
            assertThat(cfg(v, "cortex-a57", true, "nokaslr").kpti).as(v).isFalse();
            assertThat(cfg(v, "cortex-a57", null, "").kpti).as(v + ": no seed").isFalse();
        }
        MachineSpec m = new MachineSpec();
        m.kernel = "6.12";
        m.mem = "2G";
        m.cpu = "cortex-a57";
        m.kaslr = true;
        MachineSpec.Built b = m.build();
        assertThat(Kernel.boot(b.cfg(), b.mem()).ng()).isTrue();
    }

    @Test
    void e0pdPerCpu() {
        assertThat(Cpu.parse("cortex-a57").e0pd()).isFalse();
        assertThat(Cpu.parse("neoverse-n1").e0pd()).isFalse();
        assertThat(Cpu.parse("neoverse-v3").e0pd()).isTrue();
        assertThat(Cpu.parse("max").e0pd()).isTrue();
        assertThat(Cpu.parse("max:midr=0x410fd842").e0pd()).isTrue();
    }
}
