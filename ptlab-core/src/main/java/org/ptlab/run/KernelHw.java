package org.ptlab.run;

import java.util.List;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;

/**
 * Wires the hardware model to a booted kernel (hw may not know kernel): one modelled CPU per CPU of
 * the kernel's configuration, each with BBML2_NOABORT exactly when the kernel would say that CPU has
 * it ({@code KernelConfig.cpuHasBbml2}), TTBR1 at swapper_pg_dir, attached as an observer so that
 * the kernel's TLB maintenance and operation markers drive the hazard checks.
 */
public final class KernelHw {
    private KernelHw() {}

    public static HwModel attach(Kernel k, CoreConfig core) {
        return attach(k, core, k.cfg.cpus.size());
    }

    /** n modelled CPUs; CPU i takes the kernel's CPU i mod the configured count. */
    public static HwModel attach(Kernel k, CoreConfig core, int n) {
        List<Cpu> cpus = k.cfg.cpus;
        return HwModel.perCpu(k.pg, core, n, i -> k.cfg.cpuHasBbml2(cpus.get(i % cpus.size())), k.swapper);
    }
}
