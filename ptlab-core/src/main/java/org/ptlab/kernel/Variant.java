package org.ptlab.kernel;

/**
 * One behaviour of a variant family (an algorithm the seeds argue about): its family, its name as
 * written in {@code --variant family=name}, and one line of description for {@code ptlab variants}.
 *
 * <p>Every kernel family is an interface extending this one ({@link CollapsePolicy},
 * {@link SplitPolicy}, {@link AccountPolicy}, {@link LazyMmuPolicy}, {@link PageAttrPolicy},
 * {@link HotplugPolicy}, {@link ExecmemPolicy}, {@link CollapseFreePolicy}, {@link Bbml2Policy}),
 * with one class per behaviour; the kernel asks the selected object, never compares names. The
 * one named family left ({@link Named}) is {@code pfnmap}: its behaviours live in
 * {@code org.ptlab.user}, which does not import {@code kernel}, so the user model maps the
 * selected name to its own enum ({@code user.PfnmapVariant}).
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
