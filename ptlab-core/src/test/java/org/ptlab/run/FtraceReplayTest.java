package org.ptlab.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Invariants;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.source.FtraceParser;
import org.ptlab.source.FtraceParserTest;

class FtraceReplayTest {

    static Kernel boot(String mem, String... variants) {
        MachineSpec m = new MachineSpec();
        m.mem = mem;
        m.bbml2 = "noabort";
        m.variants = new ArrayList<>(List.of(variants));
        MachineSpec.Built b = m.build();
        return Kernel.boot(b.cfg(), b.mem());
    }

    @Test
    void shippedSampleReplaysAndEveryInvariantHolds() throws Exception {
        FtraceParser.Trace t = FtraceParser.parse(FtraceParserTest.sample(), "sample.trace");
        Kernel k = boot("8G");
        long tablesBefore = k.linearTablePages();
        List<String> labels = new ArrayList<>();
        FtraceReplay.Result r = FtraceReplay.replay(k, t, new FtraceReplay.Listener() {
            @Override
            public void stepDone(String label) {
                labels.add(label);
            }
        }, 1);
        assertThat(r.status()).isZero();
        assertThat(r.firstViolation()).isNull();
        // 5 allocations, 9 pageattr calls on modules/BPF, 5 secretmem calls, 3 vfrees, 1 module_load marker
        assertThat(labels).hasSize(21);
        assertThat(labels).contains("module_load ext4_test");
        assertThat(labels.get(0)).startsWith("execmem_alloc(0x18000) = 0x");
        assertThat(labels).anyMatch(l -> l.startsWith("vmalloc(0x200000) = 0x"));
        // the BPF vfree's two nested calls and rmmod's 48 are the model's own vm_reset_perms calls
        assertThat(r.consumedNested()).isEqualTo(50);
        // every area the trace allocated is freed again but the module's rodata and data
        assertThat(k.vmalloc.count()).isEqualTo(2);
        // rodata=full: the set_memory_ro calls split linear-map blocks around the backing pages
        assertThat(k.linearTablePages()).isGreaterThan(tablesBefore);
        assertThat(Invariants.check(k)).isEmpty();
        // the secretmem page at 10.5G lies beyond the 8G model: folded, and said so
        assertThat(r.notes()).anyMatch(n -> n.contains("folded"));
    }

    @Test
    void secretmemPagesLeaveAndReturnToTheDirectMap() {
        String t = "# ptlab: vmemmap=0xfffffc0000000000\n"
                + "   t-1 [000] ..... 1.000001: inv: (set_direct_map_invalid_noflush+0x0/0x50) page=0xfffffc0001000000\n";
        Kernel k = boot("4G");
        long pte = k.directMap.bytes(MapSize.PTE);
        FtraceReplay.Result r = FtraceReplay.replay(k, FtraceParser.parse(t, "s"), new FtraceReplay.Listener() {}, 1);
        assertThat(r.firstViolation()).isNull();
        assertThat(r.status()).isZero();
        // page index 0x40000 (0x1000000 / 64): PA PHYS_OFFSET + 1G is no longer present in the linear map
        long pa = k.physOffset + (0x40000L << 12);
        assertThat(k.pageAttr.kernelPagePresent(pa)).isFalse();
        assertThat(k.directMap.bytes(MapSize.PTE)).isGreaterThan(pte);
        String back = t + "   t-1 [000] ..... 1.000002: def: (set_direct_map_default_noflush+0x0/0x58) page=0xfffffc0001000000\n";
        Kernel k2 = boot("4G");
        FtraceReplay.replay(k2, FtraceParser.parse(back, "s"), new FtraceReplay.Listener() {}, 1);
        assertThat(k2.pageAttr.kernelPagePresent(pa)).isTrue();
    }

    @Test
    void callsOnAreasAllocatedBeforeTheTraceAreSkippedAndCounted() {
        String t = "   t-1 [000] ..... 1.000001: sro: (set_memory_ro+0x0/0x58) addr=0xffff800081230000 numpages=4\n"
                + "   t-1 [000] ..... 1.000002: vf: (vfree+0x0/0x2a0) addr=0xffff800081230000\n";
        Kernel k = boot("4G");
        FtraceReplay.Result r = FtraceReplay.replay(k, FtraceParser.parse(t, "s"), new FtraceReplay.Listener() {}, 1);
        assertThat(r.replayed()).isZero();
        assertThat(r.skipped()).isEqualTo(2);
        assertThat(r.notes()).contains("2 calls on vmalloc/module addresses whose allocation is not in the trace were skipped");
    }

    @Test
    void knownBadAccountingVariantIsCaughtOnReplay() throws Exception {
        // seed 000 v7 subtracts a whole CONT group per removal call: the vfree of a huge-vmap area is
        // not linear, but the boot-time double count of update_mapping_prot is caught at once
        FtraceParser.Trace t = FtraceParser.parse(FtraceParserTest.sample(), "sample.trace");
        Kernel k = boot("8G", "account=seed000-v7");
        List<String> where = new ArrayList<>();
        FtraceReplay.Result r = FtraceReplay.replay(k, t, new FtraceReplay.Listener() {
            @Override
            public void violation(String w, String invariant, String message, List<String> interleaving, List<String> ptdump) {
                where.add(w + " " + invariant);
            }
        }, 1);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.firstViolation()).contains("counters");
        assertThat(where).singleElement().asString().startsWith("boot counters");
    }

    @Test
    void truncatedTraceReplaysUpToItsLastCompleteEvent() throws Exception {
        String s = FtraceParserTest.sample();
        // cut inside the vmalloc entry of the big buffer: its return never comes
        int cut = s.indexOf("kvmalloc_node_noprof");
        String truncated = s.substring(0, s.lastIndexOf('\n', cut) + 1) + "    kworker/u8:2-97      [000] .....   812.33457";
        FtraceParser.Trace t = FtraceParser.parse(truncated, "cut.trace");
        assertThat(t.warnings()).anyMatch(w -> w.startsWith("cut.trace:") && w.contains("truncated last line ignored"));
        Kernel k = boot("8G");
        FtraceReplay.Result r = FtraceReplay.replay(k, t, new FtraceReplay.Listener() {}, 1);
        assertThat(r.status()).isZero();
        assertThat(r.notes()).anyMatch(n -> n.contains("PID 97's last vmalloc of 0x200000 bytes has no return event"));
        assertThat(Invariants.check(k)).isEmpty();
    }

    @Test
    void shippedSampleReplaysOnA52BitFiveLevelMachine() throws Exception {
        // issue 13 point 8: the top PGD entry's P4D table, shared by the linear map's end and the
        // vmalloc area, is the vmalloc side's: no false "tables" violation at 52 bits.
        org.ptlab.kernel.MachineSpec m = new org.ptlab.kernel.MachineSpec();
        m.mem = "8G";
        m.bbml2 = "noabort";
        m.vaBits = 52;
        var b = m.build();
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        FtraceReplay.Result r = FtraceReplay.replay(k, FtraceParser.parse(FtraceParserTest.sample(), "sample.trace"),
                new FtraceReplay.Listener() {}, 1);
        assertThat(r.firstViolation()).isNull();
        assertThat(r.status()).isZero();
    }

    @Test
    void vaBitsAreInferredFromTheAddressesAndRealLinearAddressesAreReplayed() {
        // a 52-bit kernel's linear address (0xfff0...) and update_range_prot / split_kernel_leaf_mapping
        // probes (7.x): the set_memory_ro is replayed through its update_range_prot children
        String t = "   t-1 [000] ..... 1.000001: v: (__vmalloc_node_range_noprof+0x0/0x1a8) size=0x4000 align=0x1000 start=0xffff800000000000 end=0xffff800080000000 vm_flags=0x0\n"
                + "   t-1 [000] ..... 1.000002: r: (execmem_alloc+0x5c/0x98 <- __vmalloc_node_range_noprof) ret=0xffff800000010000\n"
                + "   t-1 [000] ..... 1.000003: sro: (set_memory_ro+0x0/0x58) addr=0xffff800000010000 numpages=1\n"
                + "   t-1 [000] ..... 1.000004: u: (update_range_prot+0x0/0x58) addr=0xfff0000020001000 size=0x1000 set=0x80 clear=0x8000000000000\n"
                + "   t-1 [000] ..... 1.000005: s: (split_kernel_leaf_mapping+0x0/0x58) start=0xfff0000020001000 end=0xfff0000020002000\n"
                + "   t-1 [000] ..... 1.000006: u: (update_range_prot+0x0/0x58) addr=0xffff800000010000 size=0x1000 set=0x80 clear=0x8000000000000\n";
        FtraceParser.Trace tr = FtraceParser.parse(t, "s");
        assertThat(FtraceReplay.inferVaBits(tr, 4096, 48)).isEqualTo(52);
        org.ptlab.kernel.MachineSpec m = new org.ptlab.kernel.MachineSpec();
        m.mem = "2G";
        m.bbml2 = "noabort";
        m.vaBits = 52;
        var b = m.build();
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        FtraceReplay.Result r = FtraceReplay.replay(k, tr, new FtraceReplay.Listener() {}, 1);
        assertThat(r.firstViolation()).isNull();
        long pa = k.physOffset + 0x20001000L;
        assertThat(org.ptlab.arch.Desc.rdonly(leaf(k, k.physToVirt(pa)))).isTrue();
        assertThat(org.ptlab.arch.Desc.rdonly(leaf(k, k.physToVirt(pa + 4096)))).isFalse();
        assertThat(r.consumedNested()).isEqualTo(2); // the set_memory_ro itself and the split inside update_range_prot
    }

    @Test
    void sixXChangeMemoryCommonChildrenCarryTheRealAliasAndMemstartMovesTheLinearMap() {
        // 6.x: __change_memory_common (probe change_memory_common) children of set_memory_ro; a KASLR-moved
        // linear map (memstart_addr below PHYS_OFFSET); vfree's vm_reset_perms() recorded on the real page
        String t = "# ptlab: va_bits=48\n# ptlab: memstart=0xffffbdf100000000\n"
                + "   t-1 [000] ..... 1.000001: v: (__vmalloc_node_range_noprof+0x0/0x1a8) size=0x1000 align=0x1 start=0xffffbec02aa59000 end=0xffffbec0aaa59000 vm_flags=0x100\n"
                + "   t-1 [000] ..... 1.000002: r: (execmem_alloc+0x84/0x120 <- __vmalloc_node_range_noprof) ret=0xffffbec02aa5d000\n"
                + "   t-1 [000] ..... 1.000003: sro: (set_memory_ro+0x0/0x38) addr=0xffffbec02aa5d000 numpages=1\n"
                // PA = memstart + (va - PAGE_OFFSET) = 0xffffbdf100000000 + 0x420f48016000 = 0x48016000 (mod 2^64)
                + "   t-1 [000] ..... 1.000004: change_memory_common: (__change_memory_common+0x0/0x100) start=0xffff420f48016000 size=0x1000 set=0x80 clear=0x8000000000000\n"
                + "   t-1 [000] ..... 1.000005: change_memory_common: (__change_memory_common+0x0/0x100) start=0xffffbec02aa5d000 size=0x1000 set=0x80 clear=0x8000000000000\n";
        MachineSpec m = new MachineSpec();
        m.mem = "2G";
        m.kernel = "6.12";
        m.vaBits = 48;
        m.cpu = "cortex-a57";
        var b = m.build();
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        FtraceReplay.Result r = FtraceReplay.replay(k, FtraceParser.parse(t, "s"), new FtraceReplay.Listener() {}, 1);
        assertThat(r.firstViolation()).isNull();
        assertThat(org.ptlab.arch.Desc.rdonly(leaf(k, k.physToVirt(0x4801_6000L)))).isTrue();
        assertThat(org.ptlab.arch.Desc.rdonly(leaf(k, k.physToVirt(0x4801_7000L)))).isFalse();
        // the model's area keeps no VM_FLUSH_RESET_PERMS: its own page's alias was never changed
        for (org.ptlab.kernel.VmStruct a : k.vmalloc.areas()) {
            if (a.caller.startsWith("trace line")) {
                assertThat(a.has(org.ptlab.kernel.VmStruct.VM_FLUSH_RESET_PERMS)).isFalse();
            }
        }
    }

    private static long leaf(Kernel k, long va) {
        long table = k.swapper;
        for (int level = k.geo.startLevel; level <= 3; level++) {
            long d = k.pg.read(table, k.geo.index(level, va));
            if (level == 3 || !org.ptlab.arch.Desc.isTable(d)) {
                return d;
            }
            table = org.ptlab.pgtable.Pgtable.tablePa(d);
        }
        return 0;
    }
}
