package org.ptlab.kernel;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A modelled CPU type, identified by its MIDR_EL1 as the kernel sees it. BBML2_NOABORT is decided
 * as upstream's {@code cpu_supports_bbml2_noabort()} decides it: by a MIDR allow-list, not by
 * ID_AA64MMFR2_EL1.BBM (arch/arm64/kernel/cpufeature.c): Cortex-X4 r0p3+, Neoverse-V3 r0p2+,
 * Neoverse-V3AE r0p2+, NVIDIA Olympus, AmpereOne and AmpereOne A.
 */
public record Cpu(String name, int midr) {

    private static final Map<String, Integer> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("cortex-a53", arm(0xd03, 0, 4));
        KNOWN.put("cortex-a57", arm(0xd07, 1, 3));
        KNOWN.put("cortex-a72", arm(0xd08, 0, 3));
        KNOWN.put("cortex-a76", arm(0xd0b, 4, 1));
        KNOWN.put("neoverse-n1", arm(0xd0c, 4, 1));
        KNOWN.put("neoverse-v1", arm(0xd40, 1, 2));
        KNOWN.put("neoverse-n2", arm(0xd49, 0, 3));
        KNOWN.put("neoverse-v2", arm(0xd4f, 0, 2));
        KNOWN.put("cortex-x4", arm(0xd82, 0, 3));
        KNOWN.put("neoverse-v3ae", arm(0xd83, 0, 2));
        KNOWN.put("neoverse-v3", arm(0xd84, 0, 2));
        KNOWN.put("neoverse-n3", arm(0xd8e, 0, 1));
        KNOWN.put("ampere1", midr(0xc0, 0xac3, 0, 0));
        KNOWN.put("ampere1a", midr(0xc0, 0xac4, 0, 0));
        KNOWN.put("nvidia-olympus", midr(0x4e, 0x010, 0, 0));
        KNOWN.put("max", 0x000f0510);
    }

    private static int arm(int part, int variant, int rev) {
        return midr(0x41, part, variant, rev);
    }

    private static int midr(int impl, int part, int variant, int rev) {
        return impl << 24 | variant << 20 | 0xf << 16 | part << 4 | rev;
    }

    public int implementer() {
        return midr >>> 24;
    }

    public int partNum() {
        return (midr >>> 4) & 0xfff;
    }

    public int variant() {
        return (midr >>> 20) & 0xf;
    }

    public int revision() {
        return midr & 0xf;
    }

    /** {@code cpu_supports_bbml2_noabort()}: the MIDR allow-list. */
    public boolean bbml2NoAbort() {
        int impl = implementer();
        int part = partNum();
        int vr = variant() << 4 | revision();
        if (impl == 0x41) {
            switch (part) {
                case 0xd82: return vr >= 0x03; // Cortex-X4 r0p3+
                case 0xd84: return vr >= 0x02; // Neoverse-V3 r0p2+
                case 0xd83: return vr >= 0x02; // Neoverse-V3AE r0p2+
                default: return false;
            }
        }
        if (impl == 0xc0) {
            return part == 0xac3 || part == 0xac4; // AmpereOne, AmpereOne A
        }
        if (impl == 0x4e) {
            return part == 0x010; // NVIDIA Olympus
        }
        return false;
    }

    /** Names ptlab knows, for help texts. */
    public static String knownNames() {
        return String.join(", ", KNOWN.keySet());
    }

    /**
     * Parse "neoverse-v3", "neoverse-v3:r0p1", or a raw MIDR "0x410fd842".
     */
    public static Cpu parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("0x")) {
            try {
                return new Cpu(s, (int) Long.parseLong(s.substring(2), 16));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad MIDR '" + spec + "': expected 0x followed by 8 hex digits");
            }
        }
        String name = s;
        int rv = -1;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            name = s.substring(0, colon);
            String r = s.substring(colon + 1);
            if (!r.matches("r\\d+p\\d+")) {
                throw new IllegalArgumentException("bad CPU revision '" + r + "': expected rXpY, e.g. r0p2");
            }
            int p = r.indexOf('p');
            int variant = Integer.parseInt(r.substring(1, p));
            int rev = Integer.parseInt(r.substring(p + 1));
            if (variant > 15 || rev > 15) {
                throw new IllegalArgumentException("bad CPU revision '" + r + "': variant and revision are 0..15");
            }
            rv = variant << 4 | rev;
        }
        Integer m = KNOWN.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown CPU '" + spec + "': expected one of " + knownNames()
                    + " (optionally :rXpY), or a MIDR like 0x410fd842");
        }
        int midr = m;
        if (rv >= 0) {
            midr = (midr & ~(0xf << 20) & ~0xf) | (rv >> 4) << 20 | (rv & 0xf);
        }
        return new Cpu(spec.trim(), midr);
    }
}
