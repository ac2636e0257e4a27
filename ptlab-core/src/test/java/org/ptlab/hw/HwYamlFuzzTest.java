package org.ptlab.hw;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.pgtable.Pgtable;

/**
 * Jazzer fuzz target for the YAML core configuration: any text either yields a valid config that
 * builds a working model, or is rejected with an IllegalArgumentException naming the file.
 */
class HwYamlFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void yaml(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        CoreConfig c;
        try {
            c = HwYaml.parse(text, "fuzz.yaml");
        } catch (IllegalArgumentException expected) {
            if (!expected.getMessage().startsWith("fuzz.yaml")) {
                throw new AssertionError("message without file name: " + expected.getMessage());
            }
            return;
        }
        long lines = 0;
        for (CoreConfig.CacheLevel l : c.caches) {
            lines += l.size / l.line;
        }
        if (lines > (1 << 22)) {
            return; // valid but too big to build in a fuzz iteration
        }
        Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 4);
        HwModel hw = new HwModel(pg, c, 1);
        long root = pg.allocTable(0, pg.owner("t"));
        hw.setRoots(root, 0);
        if (hw.access(0, 0x1000, HwModel.LOAD) != -1) {
            throw new AssertionError("translated through an empty table");
        }
    }
}
