package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;

class TlbProbeTest {
    static Kernel boot(String bbml2) {
        MachineSpec m = new MachineSpec();
        m.mem = "8G";
        m.bbml2 = bbml2;
        m.variants = new ArrayList<>();
        MachineSpec.Built b = m.build();
        return Kernel.boot(b.cfg(), b.mem());
    }

    @Test
    void pteMappedLinearMapMissesWhereBlocksFitTheTlb() {
        // rodata=full: without BBML2 the linear map is all PTEs, with it 1G/32M blocks
        Kernel blocks = boot("noabort");
        Kernel ptes = boot("none");
        long mb = new TlbProbe(blocks, "neoverse-n1", 4096, 1).measure();
        long mp = new TlbProbe(ptes, "neoverse-n1", 4096, 1).measure();
        assertThat(mb).isLessThan(64);
        assertThat(mp).isGreaterThan(3000);
        // the probe reads tables only: the DirectMap counters and table pages are untouched
        long pages = ptes.linearTablePages();
        new TlbProbe(ptes, "neoverse-n1", 512, 2).measure();
        assertThat(ptes.linearTablePages()).isEqualTo(pages);
    }
}
