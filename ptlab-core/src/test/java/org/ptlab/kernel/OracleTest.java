package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Invariants;
import org.ptlab.check.Ptdump;

/**
 * Ground truth: the four real Linux 6.1 boots (qemu virt, -cpu max) must be reproduced exactly
 * from their /proc/iomem and command line: DirectMap bytes per size equal to the decomposition the
 * real kernel built, and the same number of table pages per level.
 */
public class OracleTest {

    public static String resource(String path) throws IOException {
        try (InputStream in = OracleTest.class.getResourceAsStream("/oracle/linux-6.1-qemu/" + path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2G-default", "2G-rodata_full", "2G-rodata_on", "4G-rodata_off"})
    void reproducesRealBoot(String boot) throws IOException {
        MemoryLayout mem = Iomem.parse(resource(boot + "/iomem"), boot + "/iomem");
        KernelConfig cfg = new KernelConfig();
        cfg.version = KernelVersion.V6_1;
        cfg.vaBits = 48;
        cfg.cpus.clear();
        cfg.cpus.add(Cpu.parse("max"));
        assertThat(Cmdline.apply(resource(boot + "/cmdline").trim(), cfg)).isEmpty();
        Kernel k = Kernel.boot(cfg, mem);

        String dec = resource(boot + "/decomposition");
        Map<String, Long> pieces = new HashMap<>();
        Matcher m = Pattern.compile("LINEAR_(\\w+) (\\d+) pieces").matcher(dec);
        while (m.find()) {
            pieces.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertThat(k.directMap.bytes(MapSize.PUD)).isEqualTo(pieces.get("1G") << 30);
        assertThat(k.directMap.bytes(MapSize.CONT_PMD)).isEqualTo(pieces.get("32M") << 25);
        assertThat(k.directMap.bytes(MapSize.PMD)).isEqualTo(pieces.get("2M") << 21);
        assertThat(k.directMap.bytes(MapSize.CONT_PTE)).isEqualTo(pieces.get("64K") << 16);
        assertThat(k.directMap.bytes(MapSize.PTE)).isEqualTo(pieces.get("4K") << 12);

        Matcher t = Pattern.compile("LINEAR_TABLE_PAGES PUD=(\\d+) PMD=(\\d+) PTE=(\\d+)").matcher(dec);
        assertThat(t.find()).isTrue();
        assertThat(k.pg.pages(k.linearOwner, 1)).as("PUD table pages").isEqualTo(Long.parseLong(t.group(1)));
        assertThat(k.pg.pages(k.linearOwner, 2)).as("PMD table pages").isEqualTo(Long.parseLong(t.group(2)));
        assertThat(k.pg.pages(k.linearOwner, 3)).as("PTE table pages").isEqualTo(Long.parseLong(t.group(3)));

        long[] walk = Ptdump.recountDirectMap(k);
        assertThat(walk).containsExactly(k.directMapBytes());
        assertThat(Invariants.check(k)).isEmpty();
    }
}
