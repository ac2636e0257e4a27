package org.ptlab.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.yaml.ScenarioError;

/** Core files go through the one YAML reader (YNode): bad input names file, line and column; every preset round-trips. */
class HwYamlTest {
    static void bad(String text, String prefix) {
        assertThatThrownBy(() -> HwYaml.parse(text, "core.yaml")).isInstanceOf(ScenarioError.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(prefix).doesNotContain("\n"));
    }

    @Test
    void badInputNamesFileLineAndColumn() {
        bad("", "core.yaml:1:1: empty document");
        bad("- a\n- b\n", "core.yaml:1:1: expected a mapping");
        bad("name: [x\n", "core.yaml:");
        bad("base: neoverse-n1\nname: x\ntlb: []\n", "core.yaml:3:1: unknown key 'tlb'");
        bad("base: [neoverse-n1]\n", "core.yaml:1:7: base: expected a preset name");
        bad("base: cortex-z9\n", "core.yaml:1:7: base: unknown core preset");
        bad("base: neoverse-n1\nmemoryLatency: lots\n", "core.yaml:2:16: bad memoryLatency 'lots'");
        bad("base: neoverse-n1\nfrequencyGHz: fast\n", "core.yaml:2:15: bad frequencyGHz 'fast'");
        bad("base: neoverse-n1\nfrequencyGHz: 300\n", "core.yaml:2:15: frequencyGHz 300.0");
        bad("base: neoverse-n1\ntlbs:\n  - {entries: 48, ways: 48, colour: red}\n", "core.yaml:3:29: unknown key 'colour' of a TLB level");
        bad("base: neoverse-n1\ntlbs:\n  - {entries: 48, ways: 48, sizes: [PTE, HUGE]}\n", "core.yaml:3:42: sizes: unknown entry kind 'HUGE'");
        bad("base: neoverse-n1\ntlbs:\n  - {entries: 48, ways: 5}\n", "core.yaml:3:3: TLB TLB: entries 48 is not a multiple of ways 5");
        bad("base: neoverse-n1\ncaches:\n  - {name: L1D, size: big}\n", "core.yaml:3:23: bad cache size 'big'");
        bad("base: neoverse-n1\ncaches:\n  - 64K\n", "core.yaml:3:5: caches: expected a cache level");
        bad("base: neoverse-n1\nwalkCache: {entries: 32, ways: 4, levels: [0, 7]}\n", "core.yaml:2:12: walk cache: level 7");
        bad("base: neoverse-n1\nbbml2NoAbort: maybe\n", "core.yaml:2:15: bad bbml2NoAbort 'maybe'");
        bad("name: x\nname: y\n", "core.yaml:2:1: duplicate key 'name'");
    }

    @Test
    void everyPresetRoundTripsThroughItsYaml() {
        for (String p : Presets.names()) {
            String y = HwYaml.toYaml(Presets.get(p));
            CoreConfig back = HwYaml.parse(y, p + ".yaml");
            assertThat(HwYaml.toYaml(back)).as(p).isEqualTo(y);
        }
    }

    /** The shipped core files keep their meaning: each is its base preset with the keys it gives replaced. */
    @Test
    void shippedCoreFilesMeanTheirBasePresetWithTheirKeys() throws Exception {
        List<Path> files;
        try (var s = Files.list(Path.of("..", "scenarios", "cores"))) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        CoreConfig flat = HwYaml.load(Path.of("..", "scenarios", "cores", "n1-walk-latency.yaml"));
        CoreConfig expect = Presets.get("neoverse-n1");
        expect.name = "n1-walk-latency";
        expect.caches = new java.util.ArrayList<>();
        assertThat(HwYaml.toYaml(flat)).isEqualTo(HwYaml.toYaml(expect));
        for (Path f : files) {
            assertThat(HwYaml.load(f).validate()).as(f.toString()).isNotNull();
        }
    }

    /** A nested mapping is replaced as a whole: its missing keys take the defaults (as the databind reader did). */
    @Test
    void nestedMappingsAndListsReplaceTheBase() {
        CoreConfig c = HwYaml.parse("base: neoverse-n1\nwalkCache: {entries: 16}\nitlb: null\n", "x.yaml");
        assertThat(c.walkCache.entries).isEqualTo(16);
        assertThat(c.walkCache.ways).isEqualTo(new CoreConfig.WalkCacheConfig().ways);
        assertThat(c.itlb).isNull();
        assertThat(HwYaml.parse("base: neoverse-n1\ncaches:\n", "x.yaml").caches).isEmpty();
    }
}
