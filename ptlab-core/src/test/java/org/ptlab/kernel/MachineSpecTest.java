package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one machine description: copies instead of mutation, the explorer's defaults, the precedence of overlays. */
class MachineSpecTest {
    @Test
    void copiesLeaveTheOriginalAsItIs() {
        MachineSpec a = MachineSpec.explorerDefaults();
        a.variants.add("split=upstream");
        MachineSpec b = a.withVariants(List.of("lazy=permissive"));
        MachineSpec c = a.with(x -> x.mem = "8M");
        MachineSpec d = a.overlay(new MachineSpec().with(x -> {
            x.granule = "16K";
            x.variants = List.of("split=no-lock");
        }));
        assertThat(a.variants).containsExactly("split=upstream");
        assertThat(a.mem).isEqualTo("4M");
        assertThat(a.granule).isEqualTo("4K");
        assertThat(b.variants).containsExactly("split=upstream", "lazy=permissive");
        assertThat(c.mem).isEqualTo("8M");
        assertThat(d.granule).isEqualTo("16K");
        assertThat(d.mem).isEqualTo("4M");
        assertThat(d.variants).containsExactly("split=upstream", "split=no-lock");
        assertThat(d.build().cfg().variants.get("split")).isEqualTo("no-lock");
    }

    /** The explorer's machine: what ExploreMachine.of("4M", n) was (4K, one bank, no image, max CPUs with BBML2, 2M blocks). */
    @Test
    void explorerDefaultsAreTheExplorersSmallMachine() {
        MachineSpec.Built b = MachineSpec.explorerDefaults().with(x -> x.cpus = 3).build();
        KernelConfig c = b.cfg();
        assertThat(c.granule).isEqualTo(org.ptlab.arch.Granule.G4K);
        assertThat(c.vaBits).isEqualTo(48);
        assertThat(c.version).isEqualTo(KernelVersion.NEWEST);
        assertThat(c.rodata).isEqualTo(Rodata.FULL);
        assertThat(c.bbml2Override).isTrue();
        assertThat(c.cpus).hasSize(3).allMatch(x -> x.name().equals("max"));
        assertThat(c.memoryBlockSize).isEqualTo(2L << 20);
        assertThat(b.mem().memory()).hasSize(1);
        assertThat(b.mem().memory().get(0).start()).isEqualTo(MemoryLayout.DEFAULT_RAM_BASE);
        assertThat(b.mem().memory().get(0).size()).isEqualTo(4L << 20);
        assertThat(b.mem().stext()).isEqualTo(b.mem().initBegin()); // no kernel image
    }

    @Test
    void bootCpuOnlyGivesTheSecondariesNoBbml2() {
        KernelConfig c = MachineSpec.explorerDefaults().with(x -> {
            x.bbml2 = "boot-cpu";
            x.cpus = 2;
        }).build().cfg();
        assertThat(c.bbml2Override).isNull();
        assertThat(c.cpuHasBbml2(c.cpus.get(0))).isTrue();
        assertThat(c.cpuHasBbml2(c.cpus.get(1))).isFalse();
        assertThatThrownBy(() -> new MachineSpec().with(x -> {
            x.bbml2 = "boot-cpu";
            x.cpu = "max";
        }).build()).hasMessageContaining("not both");
        assertThatThrownBy(() -> new MachineSpec().with(x -> {
            x.cpu = "max,max";
            x.cpus = 3;
        }).build()).hasMessageContaining("names 2 CPUs, but cpus: says 3");
    }

    /** An overlay's memory source replaces the base's, whichever each used. */
    @Test
    void oneMemorySourceReplacesAnother() {
        MachineSpec f = new MachineSpec().with(x -> x.memmap = "0x40000000-0x80000000");
        MachineSpec o = f.overlay(new MachineSpec().with(x -> x.mem = "2G"));
        assertThat(o.memmap).isNull();
        assertThat(o.build().mem().mappedBytes()).isEqualTo(2L << 30);
    }

    @Test
    void everyKeyReadsBackFromItsSettings() {
        MachineSpec s = new MachineSpec();
        s.set("mem", "8G");
        s.set("granule", "16K");
        s.set("va-bits", "48");
        s.set("kernel", "6.12");
        s.set("rodata", "noalias");
        s.set("cpus", "4");
        s.set("bbml2", "none");
        s.set("debug-pagealloc", "true");
        s.set("tlb-range", "on");
        s.set("memory-block-size", "256M");
        s.set("hw", "neoverse-n1");
        MachineSpec t = new MachineSpec();
        s.settings().forEach(t::set);
        assertThat(t.settings()).isEqualTo(s.settings());
        assertThat(t.build().cfg().summary()).isEqualTo(s.build().cfg().summary());
        assertThatThrownBy(() -> s.set("colour", "red")).hasMessageStartingWith("unknown machine key 'colour'");
        assertThatThrownBy(() -> s.set("cpus", "lots")).hasMessage("cpus: expected a number, got 'lots'");
        assertThat(MachineSpec.KEYS).hasSize(s.settings().size() + 9); // every key but the nine not set above
    }

    /** copy() and overlay() carry every field (a field added to MachineSpec without its line there fails here). */
    @Test
    void copyAndOverlayCarryEveryField() throws Exception {
        MachineSpec full = new MachineSpec();
        int n = 0;
        for (java.lang.reflect.Field f : MachineSpec.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            n++;
            Class<?> t = f.getType();
            Object v = t == String.class ? "x" + n : t == Integer.class ? Integer.valueOf(n) : t == Long.class ? Long.valueOf(n)
                    : t == Boolean.class ? Boolean.TRUE : t == List.class ? new java.util.ArrayList<>(List.of("v" + n))
                    : java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {t},
                            (p, m, a) -> switch (m.getName()) {
                                case "equals" -> p == a[0];
                                case "hashCode" -> System.identityHashCode(p);
                                case "toString" -> "a " + t.getSimpleName();
                                default -> null;
                            });
            f.set(full, v);
        }
        MachineSpec copy = full.copy();
        MachineSpec over = new MachineSpec().overlay(full);
        for (java.lang.reflect.Field f : MachineSpec.class.getFields()) {
            if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                assertThat(f.get(copy)).as("copy() of " + f.getName()).isEqualTo(f.get(full));
                if (!List.of("mem", "memmap", "iomem").contains(f.getName())) { // one memory source replaces the others
                    assertThat(f.get(over)).as("overlay() of " + f.getName()).isEqualTo(f.get(full));
                }
            }
        }
        assertThat(n).isGreaterThan(20);
    }
}
