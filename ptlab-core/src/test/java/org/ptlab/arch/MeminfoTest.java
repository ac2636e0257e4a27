package org.ptlab.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ptlab.kernel.DirectMap;

/** The /proc/meminfo layout of the DirectMap lines (seed 000's example) and the size names. */
class MeminfoTest {
    @Test
    void seed000Lines() {
        assertThat(DirectMap.meminfoLine("DirectMap4K", 94792)).isEqualTo("DirectMap4K:       94792 kB");
        assertThat(DirectMap.meminfoLine("DirectMap64K", 134208)).isEqualTo("DirectMap64K:     134208 kB");
        assertThat(DirectMap.meminfoLine("DirectMap2M", 1173504)).isEqualTo("DirectMap2M:     1173504 kB");
        assertThat(DirectMap.meminfoLine("DirectMap32M", 5636096)).isEqualTo("DirectMap32M:    5636096 kB");
        assertThat(DirectMap.meminfoLine("DirectMap1G", 529530880)).isEqualTo("DirectMap1G:    529530880 kB");
    }

    @Test
    void namesPerGranule() {
        Geometry g4 = Geometry.of(Granule.G4K, 48);
        assertThat(java.util.Arrays.stream(g4.mapSizes()).map(g4::directMapName))
                .containsExactly("DirectMap4K", "DirectMap64K", "DirectMap2M", "DirectMap32M", "DirectMap1G");
        Geometry g16 = Geometry.of(Granule.G16K, 48);
        assertThat(java.util.Arrays.stream(g16.mapSizes()).map(g16::directMapName))
                .containsExactly("DirectMap16K", "DirectMap2M", "DirectMap32M", "DirectMap1G");
        Geometry g64 = Geometry.of(Granule.G64K, 52);
        assertThat(java.util.Arrays.stream(g64.mapSizes()).map(g64::directMapName))
                .containsExactly("DirectMap64K", "DirectMap2M", "DirectMap512M", "DirectMap16G");
    }

    @Test
    void geometryOfEveryUpstreamCombination() {
        assertThat(Geometry.of(Granule.G4K, 39).levels).isEqualTo(3);
        assertThat(Geometry.of(Granule.G4K, 48).ptrsPerPgd).isEqualTo(512);
        Geometry lpa2 = Geometry.of(Granule.G4K, 52);
        assertThat(lpa2.levels).isEqualTo(5);
        assertThat(lpa2.ptrsPerPgd).isEqualTo(16);
        assertThat(lpa2.pageEnd).isEqualTo(-(1L << 47));
        assertThat(Geometry.of(Granule.G16K, 36).levels).isEqualTo(2);
        assertThat(Geometry.of(Granule.G16K, 47).levels).isEqualTo(3);
        assertThat(Geometry.of(Granule.G16K, 48).ptrsPerPgd).isEqualTo(2);
        assertThat(Geometry.of(Granule.G64K, 42).levels).isEqualTo(2);
        assertThat(Geometry.of(Granule.G64K, 48).ptrsPerPgd).isEqualTo(64);
        assertThat(Geometry.of(Granule.G64K, 52).ptrsPerPgd).isEqualTo(1024);
        assertThat(Geometry.of(Granule.G64K, 48).contPmdSize).isEqualTo(16L << 30);
        assertThat(Geometry.of(Granule.G16K, 48).contPteSize).isEqualTo(2L << 20);
        assertThatThrownBy(() -> Geometry.of(Granule.G16K, 39)).hasMessageContaining("unsupported granule/VA combination 16K/39");
    }

    @Test
    void sizes() {
        assertThat(Sizes.parse("256G")).isEqualTo(256L << 30);
        assertThat(Sizes.parse("259505132K")).isEqualTo(259505132L << 10);
        assertThat(Sizes.parse("0x40000000")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("1TiB")).isEqualTo(1L << 40);
        assertThatThrownBy(() -> Sizes.parse("12Q")).hasMessage("bad size '12Q': unknown unit 'Q', expected K, M, G, T or P");
        assertThatThrownBy(() -> Sizes.parse("99999999999P")).hasMessageContaining("too large");
    }

    @Test
    void pgattrChangeIsSafe() {
        long k = 0x40000000L | Desc.pageKernel(false);
        assertThat(Desc.pgattrChangeIsSafe(k, 0x40000000L | Desc.pageKernelRo(false))).isTrue();
        assertThat(Desc.pgattrChangeIsSafe(k, k | Desc.CONT)).isFalse();
        assertThat(Desc.pgattrChangeIsSafe(k, 0x40001000L | Desc.pageKernel(false))).isFalse();
        assertThat(Desc.pgattrChangeIsSafe(k, k & ~Desc.VALID)).isTrue();
        assertThat(Desc.pgattrChangeIsSafe(k | Desc.NG, k)).isFalse();
    }
}
