package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The explicitly built registry, the immutable selection, and the checks on users' variants. */
class VariantRegistryTest {

    /** A user's collapse policy (as a ServiceLoader would instantiate it). */
    public static final class Mine implements CollapsePolicy {
        private final String name;

        public Mine() {
            this("mine");
        }

        Mine(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "test";
        }
    }

    @Test
    void everyFamilyHasOneDefaultAndTheBehavioursImplementTheirInterface() {
        VariantRegistry r = VariantRegistry.builtIn();
        assertThat(r.families().keySet()).containsExactly("account", "split", "hotplug", "execmem", "collapse", "collapse-free",
                "pageattr", "bbml2", "lazy", "pfnmap");
        for (VariantRegistry.Family f : r.families().values()) {
            assertThat(f.defaultMember()).as(f.name).isNotNull();
            for (Variant v : f.members()) {
                assertThat(f.type.isInstance(v)).isTrue();
                assertThat(v.family()).isEqualTo(f.name);
            }
        }
        assertThat(r.family("collapse").defaultMember()).isInstanceOf(CollapsePolicies.None.class);
        assertThat(r.family("lazy").defaultName()).isEqualTo("generic");
    }

    @Test
    void selectionsAreCopiesNotMutations() {
        Variants none = Variants.none(VariantRegistry.builtIn());
        Variants a = none.with("split=minimal");
        Variants b = a.withVariants(List.of("lazy=no-nesting", "split=seed003-v2"));
        assertThat(none.isEmpty()).isTrue();
        assertThat(a.get("split")).isEqualTo("minimal");
        assertThat(b.get("split")).isEqualTo("seed003-v2");
        assertThat(b.policy(SplitPolicy.class, "split")).isInstanceOf(SplitPolicy.Seed003V2.class);
        assertThat(b.toString()).isEqualTo("lazy=no-nesting,split=seed003-v2");
        assertThat(b.without("split").toString()).isEqualTo("lazy=no-nesting");
        assertThat(none.get("collapse")).isEqualTo("none");
        KernelConfig c = new KernelConfig();
        KernelConfig d = c.withVariant("collapse=x86");
        assertThat(c.variants.isEmpty()).isTrue();
        assertThat(d.variants.get("collapse")).isEqualTo("x86");
        assertThatThrownBy(() -> none.with("split=sideways")).hasMessageContaining("unknown variant 'sideways' for split");
        assertThatThrownBy(() -> none.with("nosuch=x")).hasMessageContaining("unknown variant family 'nosuch'");
    }

    @Test
    void aUsersBehaviourJoinsItsFamilyAndRunsInTheKernel() {
        VariantRegistry r = VariantRegistry.builtIn().add(new Mine(), false);
        assertThat(r.family("collapse").members()).extracting(Variant::name).endsWith("mine");
        KernelConfig c = new KernelConfig();
        c.variants = Variants.none(r).with("collapse=mine");
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(1L << 30));
        assertThat(k.collapse.policy).isInstanceOf(Mine.class);
        assertThat(k.collapse.variant()).isEqualTo("mine");
    }

    @Test
    void badUserBehavioursAreRefusedNamingTheClass() {
        assertThatThrownBy(() -> VariantRegistry.builtIn().add(new Mine("none"), false))
                .hasMessageContaining("collapse=none").hasMessageContaining(Mine.class.getName()).hasMessageContaining("already defined");
        assertThatThrownBy(() -> VariantRegistry.builtIn().add(new Mine("Bad Name"), false)).hasMessageContaining("bad name");
        Variant wrongFamily = new Variant.Named("split", "mine", "not a SplitPolicy");
        assertThatThrownBy(() -> VariantRegistry.builtIn().add(wrongFamily, false)).hasMessageContaining("does not implement");
        Variant noFamily = new Variant.Named("nosuch", "x", "");
        assertThatThrownBy(() -> VariantRegistry.builtIn().add(noFamily, false)).hasMessageContaining("unknown family 'nosuch'");
    }
}
