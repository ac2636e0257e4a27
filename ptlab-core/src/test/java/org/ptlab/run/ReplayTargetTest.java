package org.ptlab.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.hw.Presets;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.BinaryTrace;

/** The four replay targets: where the trace's pages land, what maps them, and what large leaves buy. */
class ReplayTargetTest {
    static final Geometry GEO = Geometry.of(Granule.G4K, 48);
    static final Path SORT = TraceReplayTest.resource("sort1k.ptltrc.gz");
    static final long M2 = 2L << 20;
    static final long G1 = 1L << 30;

    /** sort1k's footprint in chunks of the given size (the trace's VAs, not the targets'). */
    static long footprint(long chunk) throws IOException {
        try (AccessTrace t = BinaryTrace.openAny(SORT, false)) {
            return AddressMapper.chunksTouched(t, chunk) * chunk;
        }
    }

    /**
     * Replays sort1k onto the target through its own placement and fault path, asserting for every
     * access that the placed VA lies in the target's range and satisfies inRange, and that the
     * hardware model's translation is expectedPa(va). Returns the statistics.
     */
    static HwStats replayChecked(ReplayTarget t, java.util.function.LongPredicate inRange, LongUnaryOperator expectedPa) throws IOException {
        HwModel hw = t.hw(Presets.get(Presets.DEFAULT));
        Replay.Placement where = t.packed();
        Replay.FaultHandler faults = t.faults(hw);
        long[] va = new long[4096];
        byte[] ty = new byte[4096];
        long checked = 0;
        try (AccessTrace tr = BinaryTrace.openAny(SORT, false)) {
            int n;
            while ((n = tr.next(va, ty, va.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    long v = where.place(va[i]);
                    assertThat(Long.compareUnsigned(v - t.va(), t.size())).as("0x%x inside the target", v).isNegative();
                    assertThat(inRange.test(v)).as("0x%x inside the %s", v, t.kind().label()).isTrue();
                    long pa = hw.access(0, v, ty[i]);
                    if (pa < 0 && faults != null && faults.fault(v, ty[i])) {
                        pa = hw.access(0, v, ty[i]);
                    }
                    assertThat(pa).as("PA of 0x%x", v).isEqualTo(expectedPa.applyAsLong(v));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(456_817);
        HwStats s = hw.cpu(0).stats;
        assertThat(s.translationFaults).isZero();
        return s;
    }

    @Test
    void footprintCountsTheTracesChunks() throws IOException {
        // ld.so/libc/heap/stack of sort: two 1G chunks, six 2M chunks (deterministic for the shipped trace)
        assertThat(footprint(G1)).isEqualTo(2 * G1);
        assertThat(footprint(M2)).isEqualTo(6 * M2);
    }

    @Test
    void regionTranslatesToItsPhysicalRange() throws IOException {
        var t = ReplayTarget.region(GEO, 8 * G1, MapSize.PMD);
        HwStats s = replayChecked(t, v -> v >= 0, v -> t.region().pa + (v - t.va()));
        assertThat(s.permissionFaults).isZero();
        assertThat(t.leaves()[MapSize.PMD.ordinal()]).isEqualTo(8 * G1 / M2);
    }

    @Test
    void linearTargetTranslatesAsTheLinearMap() throws IOException {
        for (boolean blocks : new boolean[] {false, true}) {
            var t = ReplayTarget.linear(new KernelConfig(), 4 * G1, blocks);
            assertThat(t.ttbr1()).isEqualTo(t.kernel().swapper);
            assertThat(t.mapping()).isEqualTo(blocks ? ReplayTarget.BLOCK : "4K");
            replayChecked(t, v -> t.kernel().isLinear(v), v -> t.kernel().virtToPhys(v));
            long[] l = t.leaves();
            assertThat(l[MapSize.PTE.ordinal()] == t.size() / 4096).isEqualTo(!blocks);
        }
    }

    @Test
    void vmallocTargetPlacesTheTraceInsideTheAreaAndTranslatesToItsPages() throws IOException {
        long size = footprint(M2);
        for (MapSize leaf : new MapSize[] {MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD}) {
            var t = ReplayTarget.vmalloc(new KernelConfig(), G1, size, leaf);
            var k = t.kernel();
            var a = t.area();
            assertThat(k.vmalloc.find(t.va())).isSameAs(a);
            assertThat(t.size()).isEqualTo(size);
            assertThat(Long.compareUnsigned(t.va(), k.vmalloc.vmallocStart)).isGreaterThanOrEqualTo(0);
            assertThat(Long.compareUnsigned(t.va() + t.size(), k.vmalloc.vmallocEnd)).isLessThanOrEqualTo(0);
            replayChecked(t, v -> k.vmalloc.find(v) == a, v -> a.pages[(int) ((v - a.addr) >>> 12)] + (v & 4095));
            long[] l = t.leaves();
            assertThat(l[leaf.ordinal()]).as(leaf.name()).isEqualTo(size / GEO.size(leaf) * (leaf == MapSize.CONT_PTE ? 16 : 1));
            assertThat(l[0] + l[1] + l[2] + l[3] + l[4]).isEqualTo(l[leaf.ordinal()]);
            assertThat(a.has(org.ptlab.kernel.VmStruct.VM_ALLOW_HUGE_VMAP)).isEqualTo(leaf != MapSize.PTE);
        }
    }

    @Test
    void userTargetPlacesTheTraceInsideTheVmaAndTranslatesToTheDevice() throws IOException {
        long size = footprint(G1);
        for (MapSize leaf : new MapSize[] {MapSize.PTE, MapSize.PMD, MapSize.PUD}) {
            var t = ReplayTarget.user(GEO, size, leaf);
            assertThat(t.ttbr0()).isEqualTo(t.mm().pgd);
            assertThat(t.vma().start).isEqualTo(t.va());
            assertThat(t.vma().end).isEqualTo(t.va() + size);
            assertThat(t.vma().pfnmap()).isTrue();
            HwStats s = replayChecked(t, v -> t.mm().findVma(v) == t.vma(), v -> Region.DEFAULT_PA + (v - t.vma().start));
            long[] l = t.leaves();
            assertThat(l[leaf.ordinal()]).as(leaf.name()).isEqualTo(size / GEO.size(leaf));
            // every first store to a clean leaf faulted once and was served; nothing faults twice
            assertThat(s.permissionFaults).isPositive().isEqualTo(s.accesses - 456_817);
        }
    }

    @Test
    void userWriteFaultsLeaveTheWrittenLeavesDirtyAndWritable() throws IOException {
        var t = ReplayTarget.user(GEO, footprint(G1), MapSize.PTE);
        HwStats s = replayChecked(t, v -> true, v -> Region.DEFAULT_PA + (v - t.va()));
        long[] dirty = new long[1];
        org.ptlab.pgtable.TableWalk.walk(t.pg(), t.ttbr0(), t.va(), t.va() + t.size(), new org.ptlab.pgtable.TableWalk.Visitor() {
            @Override
            public void leaf(long a, int level, long d, long table, int idx) {
                if ((d & Desc.DIRTY) != 0) {
                    assertThat(d & Desc.RDONLY).isZero();
                    dirty[0]++;
                }
            }

            @Override
            public void leafRun(long a, int level, long first, long step, int count, long table, long entrySize) {
                assertThat(first & Desc.DIRTY).isZero();
            }
        });
        assertThat(dirty[0]).isEqualTo(s.permissionFaults);
    }

    @Test
    void largeLeavesWalkLessThanPagesOnTheSortTrace() throws IOException {
        long vsize = footprint(M2);
        HwStats v4 = replayOnce(ReplayTarget.vmalloc(new KernelConfig(), G1, vsize, MapSize.PTE));
        HwStats v64 = replayOnce(ReplayTarget.vmalloc(new KernelConfig(), G1, vsize, MapSize.CONT_PTE));
        HwStats v2m = replayOnce(ReplayTarget.vmalloc(new KernelConfig(), G1, vsize, MapSize.PMD));
        assertThat(v4.walks).isEqualTo(108);
        assertThat(v64.walks).isLessThan(v4.walks);
        assertThat(v2m.walks).isLessThan(v64.walks);
        assertThat(v2m.walks).isLessThan(v4.walks / 10);
        long usize = footprint(G1);
        HwStats u4 = replayOnce(ReplayTarget.user(GEO, usize, MapSize.PTE));
        HwStats u2m = replayOnce(ReplayTarget.user(GEO, usize, MapSize.PMD));
        HwStats u1g = replayOnce(ReplayTarget.user(GEO, usize, MapSize.PUD));
        assertThat(u2m.walks).isLessThan(u4.walks / 10);
        assertThat(u1g.walks).isLessThanOrEqualTo(u2m.walks);
        assertThat(u2m.permissionFaults).isLessThan(u4.permissionFaults);
        HwStats l4 = replayOnce(ReplayTarget.linear(new KernelConfig(), 4 * G1, false));
        HwStats lb = replayOnce(ReplayTarget.linear(new KernelConfig(), 4 * G1, true));
        assertThat(lb.walks).isLessThan(l4.walks / 10);
    }

    /** Instruction fetches need an executable mapping: the user VMA is VM_EXEC only when asked. */
    @Test
    void userTargetIsExecutableOnlyWhenAskedFor() {
        for (boolean exec : new boolean[] {false, true}) {
            var t = ReplayTarget.user(GEO, 2L << 20, MapSize.PTE, exec);
            HwModel hw = t.hw(Presets.get(Presets.DEFAULT));
            long pa = hw.access(0, t.va() + 64, HwModel.IFETCH);
            if (exec) {
                assertThat(pa).isEqualTo(Region.DEFAULT_PA + 64);
            } else {
                assertThat(pa).isEqualTo(-1);
                assertThat(hw.lastFault).as("execute-never at EL0: a permission fault").isEqualTo(2);
            }
            assertThat(hw.access(0, t.va() + 64, HwModel.LOAD)).isEqualTo(Region.DEFAULT_PA + 64);
        }
    }

    static HwStats replayOnce(ReplayTarget t) throws IOException {
        HwModel hw = t.hw(Presets.get(Presets.DEFAULT));
        try (AccessTrace tr = BinaryTrace.openAny(SORT, false)) {
            assertThat(t.replay(hw, tr, -1)).isEqualTo(456_817);
        }
        return hw.cpu(0).stats;
    }

    @Test
    void impossibleMappingsAreRefusedWithTheTargetsChoices() {
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.VMALLOC, "2M", GEO)).isEqualTo(MapSize.PMD);
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.VMALLOC, "64k", GEO)).isEqualTo(MapSize.CONT_PTE);
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.USER, "1G", GEO)).isEqualTo(MapSize.PUD);
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.LINEAR, "block", GEO)).isNull();
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.REGION, "32M", GEO)).isEqualTo(MapSize.CONT_PMD);
        assertThatThrownBy(() -> ReplayTarget.leafFor(ReplayTarget.Kind.VMALLOC, "1G", GEO))
                .hasMessage("--target vmalloc --mapping 1G: vmalloc maps with PTEs, contiguous PTEs or PMD blocks (VM_ALLOW_HUGE_VMAP); expected 4K, 64K, 2M");
        assertThatThrownBy(() -> ReplayTarget.leafFor(ReplayTarget.Kind.USER, "64K", GEO)).hasMessageContaining("expected 4K, 2M, 1G");
        assertThatThrownBy(() -> ReplayTarget.leafFor(ReplayTarget.Kind.LINEAR, "2M", GEO)).hasMessageContaining("expected 4K");
        assertThatThrownBy(() -> ReplayTarget.leafFor(ReplayTarget.Kind.REGION, "3M", GEO)).hasMessageContaining("expected one of");
        assertThatThrownBy(() -> ReplayTarget.Kind.parse("heap")).hasMessageContaining("expected region, linear, vmalloc or user");
        // 64K pages: no PUD level, so the user target stops at PMD leaves
        Geometry g64 = Geometry.of(Granule.G64K, 48);
        assertThatThrownBy(() -> ReplayTarget.leafFor(ReplayTarget.Kind.USER, "PUD", g64)).hasMessageContaining("expected one of");
        assertThat(ReplayTarget.leafFor(ReplayTarget.Kind.USER, "512M", g64)).isEqualTo(MapSize.PMD);
    }

    @Test
    void vmallocThatDoesNotFitIsAnErrorNamingMem() {
        assertThatThrownBy(() -> ReplayTarget.vmalloc(new KernelConfig(), 256L << 20, 512L << 20, MapSize.PMD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-ENOMEM").hasMessageContaining("--mem");
    }
}
