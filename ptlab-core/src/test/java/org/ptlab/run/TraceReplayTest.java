package org.ptlab.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.hw.Presets;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.BinaryTrace;
import org.ptlab.source.LackeyReader;

class TraceReplayTest {
    static Path resource(String name) {
        try {
            return Path.of(TraceReplayTest.class.getResource("/traces/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HwStats replay(String file, MapSize kind) throws IOException {
        Region r = Region.standalone(Geometry.of(Granule.G4K, 48), 8L << 30, kind);
        HwModel hw = new HwModel(r.pg, Presets.get(Presets.DEFAULT), 1).checks(false);
        hw.setRoots(r.root, 0);
        try (AccessTrace t = BinaryTrace.openAny(resource(file), false)) {
            Replay.run(hw, 0, t, Replay.mapped(new AddressMapper(r.va, r.size, 1L << 30)), -1);
        }
        return hw.cpu(0).stats;
    }

    @Test
    void recordedSortTraceMissesLessWith2MMappings() throws IOException {
        HwStats small = replay("sort1k.ptltrc.gz", MapSize.PTE);
        HwStats large = replay("sort1k.ptltrc.gz", MapSize.PMD);
        assertThat(small.accesses).isEqualTo(456_817);
        assertThat(small.instructions).isEqualTo(1_146_282);
        assertThat(small.translationFaults).isZero();
        // exact counts of this model on this trace (deterministic)
        // the third level is the instruction TLB: this replay has no fetches
        assertThat(small.tlbMisses).containsExactly(SMALL_L1, SMALL_L2, 0);
        assertThat(large.tlbMisses).containsExactly(LARGE_L1, LARGE_L2, 0);
        assertThat(large.tlbMisses[1]).isLessThan(small.tlbMisses[1]);
        assertThat(large.tlbMisses[0]).isLessThan(small.tlbMisses[0]);
        assertThat(large.walkRefs).isLessThan(small.walkRefs);
        assertThat(small.mpki(1, 1)).isGreaterThan(large.mpki(1, 1));
    }

    static final long SMALL_L1 = 230;
    static final long SMALL_L2 = 108;
    static final long LARGE_L1 = 6;
    static final long LARGE_L2 = 6;

    @Test
    void lackeyHeadParsesAsValgrindWroteIt() throws IOException {
        long n = 0;
        try (LackeyReader r = LackeyReader.open(resource("sort1k-head.lackey.gz"), false)) {
            long[] va = new long[1000];
            byte[] ty = new byte[1000];
            int k;
            while ((k = r.next(va, ty, va.length)) > 0) {
                n += k;
            }
            assertThat(r.instructions()).isEqualTo(16_654);
        }
        assertThat(n).isEqualTo(3_360);
    }

    @Test
    void lackeyLinesModifyIsLoadAndStore() throws IOException {
        String text = "==1== Lackey\nI  04001000,3\n L 1ffefff000,8\n S 04222d00,4\n M 0421e6b8,4\n\n";
        LackeyReader r = new LackeyReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "t", false);
        long[] va = new long[10];
        byte[] ty = new byte[10];
        assertThat(r.next(va, ty, 10)).isEqualTo(4);
        assertThat(va).startsWith(0x1ffefff000L, 0x04222d00L, 0x0421e6b8L, 0x0421e6b8L);
        assertThat(ty).startsWith(HwModel.LOAD, HwModel.STORE, HwModel.LOAD, HwModel.STORE);
        assertThat(r.instructions()).isEqualTo(1);
    }

    @Test
    void badLackeyLineNamesFileAndLine() {
        String text = "I  04001000,3\n L zz,8\n";
        LackeyReader r = new LackeyReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), "x.lackey", false);
        assertThatThrownBy(() -> r.next(new long[4], new byte[4], 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x.lackey:2: ");
    }

    @Test
    void binaryRoundTripKeepsAddressesTypesAndInstructions() throws IOException {
        long[] vas = {0, 0xffff_0000_1234_5678L, 8, Long.MIN_VALUE, Long.MAX_VALUE, 0x4000, 0x3ff8, -1L};
        byte[] tys = {0, 1, 2, 0, 1, 0, 2, 1};
        AccessTrace src = new AccessTrace() {
            int i;

            @Override
            public int next(long[] va, byte[] type, int max) {
                int n = 0;
                while (n < max && i < vas.length) {
                    va[n] = vas[i];
                    type[n++] = tys[i++];
                }
                return n;
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(BinaryTrace.write(src, out, 77)).isEqualTo(vas.length);
        BinaryTrace.Reader r = new BinaryTrace.Reader(new ByteArrayInputStream(out.toByteArray()), "mem");
        long[] va = new long[16];
        byte[] ty = new byte[16];
        assertThat(r.next(va, ty, 16)).isEqualTo(vas.length);
        assertThat(java.util.Arrays.copyOf(va, vas.length)).containsExactly(vas);
        assertThat(java.util.Arrays.copyOf(ty, vas.length)).containsExactly(tys);
        assertThat(r.headerInstructions()).isEqualTo(77);
        assertThat(r.next(va, ty, 16)).isZero();
        assertThat(r.instructions()).isEqualTo(77);
    }

    @Test
    void truncatedBinaryIsAnInputError() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(BinaryTrace.MAGIC);
        out.write(0);
        out.write(0x80);
        BinaryTrace.Reader r = new BinaryTrace.Reader(new ByteArrayInputStream(out.toByteArray()), "cut");
        assertThatThrownBy(() -> r.next(new long[4], new byte[4], 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cut: truncated record");
        assertThatThrownBy(() -> new BinaryTrace.Reader(new ByteArrayInputStream(new byte[] {1, 2}), "short"))
                .hasMessageContaining("not a ptlab binary trace");
    }

    @Test
    void mapperPacksChunksInFirstTouchOrderKeepingOffsets() {
        AddressMapper m = new AddressMapper(0x10_0000_0000L, 4L << 30, 1L << 30);
        assertThat(m.map(0x1ffefff123L)).isEqualTo(0x10_0000_0000L + (0x1ffefff123L & ((1L << 30) - 1)));
        assertThat(m.map(0x4001000L)).isEqualTo(0x10_4000_0000L + 0x4001000L);
        assertThat(m.map(0x1ffe000000L)).isEqualTo(0x10_0000_0000L + (0x1ffe000000L & ((1L << 30) - 1)));
        assertThat(m.chunksUsed()).isEqualTo(2);
        m.map(5L << 30);
        m.map(9L << 30);
        assertThatThrownBy(() -> m.map(11L << 30)).hasMessageContaining("more than 4 chunks");
    }
}
