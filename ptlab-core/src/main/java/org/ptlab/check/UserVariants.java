package org.ptlab.check;

import org.ptlab.kernel.Variants;
import org.ptlab.user.PfnmapVariant;
import org.ptlab.user.UserConfig;

/**
 * Turns a variant selection into the user model's {@link UserConfig}: the family "pfnmap" (declared
 * with the others in {@link org.ptlab.kernel.VariantRegistry#builtIn()}) selects a
 * {@link PfnmapVariant}.
 */
public final class UserVariants {
    private UserVariants() {}

    /** The user configuration a variant selection asks for. */
    public static UserConfig config(Variants variants) {
        UserConfig c = new UserConfig();
        String s = variants.get(PfnmapVariant.FAMILY);
        if (s != null) {
            c.variant = PfnmapVariant.parse(s);
        }
        return c;
    }
}
