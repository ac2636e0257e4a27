package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ptlab.check.Invariants;
import org.ptlab.check.Ptdump;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;

/**
 * {@code --from-capture}: the imported linear map is the captured one, range for range, table page
 * for table page, and the DirectMap counters agree with a recount of the tables.
 */
class CaptureImportTest {

    static Kernel imported(Path dir) {
        MachineSpec m = new MachineSpec();
        CaptureImport.apply(m, dir);
        MachineSpec.Built b = m.build();
        return Kernel.boot(b.cfg(), b.mem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-6.1-qemu/2G-rodata_on", "linux-6.1-qemu/2G-default", "captures/7.2-v3-2G", "captures/7.2-v3-4G",
        "captures/6.12-max-2G"})
    void importedTablesAreTheCapturedOnes(String name) throws Exception {
        Path dir = OracleMatrixTest.root().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("missing committed capture " + name);
        }
        Capture c = Capture.load(dir);
        Kernel k = imported(dir);
        OracleCheck.Result r = OracleCheck.compare(c, ModelMap.of(k, c.mair()));
        assertThat(r.exact()).as(String.join("\n", r.details())).isTrue();
        assertThat(Ptdump.recountDirectMap(k)).containsExactly(k.directMapBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux-6.1-qemu/2G-rodata_on", "linux-6.1-qemu/4G-rodata_off"})
    void importedSixOneBootsHoldEveryInvariant(String name) throws Exception {
        Kernel k = imported(OracleMatrixTest.root().resolve(name));
        assertThat(Invariants.check(k)).isEmpty();
    }
}
