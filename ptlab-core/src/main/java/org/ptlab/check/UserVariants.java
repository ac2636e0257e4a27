package org.ptlab.check;

import org.ptlab.kernel.Variants;
import org.ptlab.user.PfnmapVariant;
import org.ptlab.user.UserConfig;

/**
 * Registers the user package's own variant selection ({@link PfnmapVariant}) in the shared list
 * {@link Variants#FAMILIES} under the family "pfnmap", so `ptlab variants` lists them and
 * {@code --variant pfnmap=seed004-v2} is accepted; and turns a selection into a {@link UserConfig}.
 */
public final class UserVariants {
    private UserVariants() {}

    private static boolean done;

    /** Idempotent. */
    public static synchronized void register() {
        if (done) {
            return;
        }
        for (PfnmapVariant v : PfnmapVariant.values()) {
            Variants.register(PfnmapVariant.FAMILY, v.label, v.isDefault, v.description);
        }
        done = true;
    }

    /** The user configuration a variant selection asks for. */
    public static UserConfig config(Variants variants) {
        register();
        UserConfig c = new UserConfig();
        String s = variants.get(PfnmapVariant.FAMILY);
        if (s != null) {
            c.variant = PfnmapVariant.parse(s);
        }
        return c;
    }
}
