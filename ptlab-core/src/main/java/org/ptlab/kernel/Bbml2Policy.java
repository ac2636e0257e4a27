package org.ptlab.kernel;

/**
 * The {@code bbml2} family: which CPUs' BBML2_NOABORT decides the system capability
 * {@code ARM64_HAS_BBML2_NOABORT} that the live split of the linear map relies on
 * (arch/arm64/kernel/cpufeature.c, mm/mmu.c).
 */
public interface Bbml2Policy extends Variant {
    String FAMILY = "bbml2";

    @Override
    default String family() {
        return FAMILY;
    }

    /** Whether the system, once its capabilities are final, counts as having BBML2_NOABORT. */
    boolean systemHasBbml2(KernelConfig cfg);

    /** bbml2=system (default). */
    final class SystemWide implements Bbml2Policy {
        @Override
        public String name() {
            return "system";
        }

        @Override
        public String description() {
            return "ARM64_HAS_BBML2_NOABORT as upstream finalises it: every CPU must have it; a boot CPU with it and a secondary without repaint the linear map to PTEs at boot";
        }

        @Override
        public boolean systemHasBbml2(KernelConfig cfg) {
            return cfg.systemBbml2();
        }
    }

    /** bbml2=boot-cpu: known bad (seed 003 v2's decision). */
    final class BootCpu implements Bbml2Policy {
        @Override
        public String name() {
            return "boot-cpu";
        }

        @Override
        public String description() {
            return "known bad (seed 003 v2's decision): the boot CPU's check alone decides, no repaint, the linear map is split live although secondaries may lack BBML2_NOABORT";
        }

        @Override
        public boolean systemHasBbml2(KernelConfig cfg) {
            return cfg.bootCpuBbml2();
        }
    }
}
