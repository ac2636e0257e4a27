package org.ptlab.kernel;

/**
 * One behaviour of a variant family (an algorithm the seeds argue about): its family, its name as
 * written in {@code --variant family=name}, and one line of description for {@code ptlab variants}.
 *
 * <p>A family with real alternatives in the code is an interface extending this one
 * ({@link CollapsePolicy}, {@link SplitPolicy}, {@link AccountPolicy}, {@link LazyMmuPolicy},
 * {@link PageAttrPolicy}), with one class per behaviour; the kernel calls the selected object. The
 * other families (hotplug, execmem, bbml2, collapse-free, pfnmap) are named choices
 * ({@link Named}) read where they decide something.
 *
 * <p>A user's own behaviour joins a family from a jar on the class path: a public class with a
 * public no-argument constructor implementing the family's interface, listed in
 * {@code META-INF/services/org.ptlab.kernel.Variant} (java.util.ServiceLoader); see
 * docs/extending.md and {@link VariantRegistry#standard()}.
 */
public interface Variant {
    /** The family, e.g. "collapse". */
    String family();

    /** The name within the family, e.g. "order-aware". */
    String name();

    /** One line for {@code ptlab variants}. */
    String description();

    /** A named choice of a family whose code reads the name ({@code hotplug=pre-7.1}, ...). */
    record Named(String family, String name, String description) implements Variant {}
}
