package org.ptlab.kernel;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A modelled CPU type, identified by its MIDR_EL1 as the kernel sees it, plus the two ID register
 * fields the linear map depends on: ID_AA64MMFR2_EL1.BBM ({@code bbm}) and FEAT_LPA2 ({@code lpa2},
 * which lets a VA_BITS=52 kernel run with 52-bit VAs, else it falls back to VA_BITS_MIN).
 * BBML2_NOABORT is decided per release by {@link #bbml2NoAbort(KernelVersion)}.
 */
public record Cpu(String name, int midr, int bbm, boolean lpa2) {

    public Cpu(String name, int midr) {
        this(name, midr, 0, false);
    }

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
        KNOWN.put("cortex-a715", arm(0xd4d, 1, 0));
        KNOWN.put("cortex-a725", arm(0xd87, 0, 1));
        KNOWN.put("cortex-a520ae", arm(0xd88, 0, 0));
        KNOWN.put("cortex-a720ae", arm(0xd89, 0, 0));
        KNOWN.put("c1-nano", arm(0xd8a, 0, 0));
        KNOWN.put("c1-pro", arm(0xd8b, 0, 0));
        KNOWN.put("c1-ultra", arm(0xd8c, 1, 1));
        KNOWN.put("c1-premium", arm(0xd90, 1, 1));
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

    /** {@link #bbml2NoAbort(KernelVersion)} under the default release's rules. */
    public boolean bbml2NoAbort() {
        return bbml2NoAbort(KernelVersion.NEWEST);
    }

    /**
     * {@code cpu_supports_bbml2_noabort()} (7.2 cpufeature.c) / {@code cpu_supports_bbml3()} (7.3):
     * a MIDR allow-list; MIDR_REV_RANGE(part, 0, rev, 0xf) accepts variant 0 only, so Cortex-X4
     * r1p0 is refused. 7.3 also accepts ID_AA64MMFR2_EL1.BBM >= 3 and Cortex-A520AE, A715, A720AE,
     * A725, Neoverse-N3, C1-Nano, C1-Pro (all versions), C1-Ultra and C1-Premium r1p1+.
     */
    public boolean bbml2NoAbort(KernelVersion v) {
        if (v.bbml3() && bbm >= 3) {
            return true;
        }
        int impl = implementer();
        int part = partNum();
        int var = variant();
        int rev = revision();
        if (impl == 0x41) {
            switch (part) {
                case 0xd82: return var == 0 && rev >= 3; // Cortex-X4 r0p3..r0p15
                case 0xd84: return var == 0 && rev >= 2; // Neoverse-V3 r0p2..r0p15
                case 0xd83: return var == 0 && rev >= 2; // Neoverse-V3AE r0p2..r0p15
                case 0xd88: case 0xd4d: case 0xd89: case 0xd87: case 0xd8e: case 0xd8a: case 0xd8b:
                    return v.bbml3(); // A520AE, A715, A720AE, A725, Neoverse-N3, C1-Nano, C1-Pro
                case 0xd8c: case 0xd90:
                    return v.bbml3() && (var << 4 | rev) >= 0x11; // C1-Ultra, C1-Premium r1p1+ (erratum 3683289)
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

    /**
     * ID_AA64MMFR2_EL1.E0PD != 0 (FEAT_E0PD, mandatory from Armv8.5): QEMU's max (also with another
     * MIDR, "max:midr=..."), and the Armv8.5+/9 cores of the list; Cortex-A53/A57/A72/A76,
     * Neoverse-N1 and V1 (Armv8.0-8.4) lack it. It decides kaslr_requires_kpti() (6.1
     * cpufeature.c; 6.12, 7.2, 7.3 asm/mmu.h).
     */
    public boolean e0pd() {
        if (name.toLowerCase(Locale.ROOT).startsWith("max")) {
            return true;
        }
        if (implementer() == 0x41) {
            switch (partNum()) {
                case 0xd03: case 0xd07: case 0xd08: case 0xd0b: case 0xd0c: case 0xd40:
                    return false;
                default:
                    return true;
            }
        }
        return implementer() == 0xc0 || implementer() == 0x4e; // AmpereOne (v8.6+), NVIDIA Olympus (v9.2)
    }

    /** Names ptlab knows, for help texts. */
    public static String knownNames() {
        return String.join(", ", KNOWN.keySet());
    }

    /**
     * Parse "neoverse-v3", "neoverse-v3:r0p1", a raw MIDR "0x410fd842", QEMU's max CPU with another
     * MIDR "max:midr=0x410fd842" (it keeps max's LPA2 and BBM level), and a ":bbm=N" suffix that sets
     * ID_AA64MMFR2_EL1.BBM. QEMU's max implements FEAT_LPA2 and BBM level 2; named Arm cores are
     * modelled without LPA2 (a raw MIDR too).
     */
    public static Cpu parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int bbmAt = s.indexOf(":bbm=");
        if (bbmAt >= 0) {
            String n = s.substring(bbmAt + 5);
            if (!n.matches("[0-9]")) {
                throw new IllegalArgumentException("bad CPU '" + spec + "': :bbm= takes a digit 0..9 (ID_AA64MMFR2_EL1.BBM)");
            }
            Cpu c = parse(spec.trim().substring(0, bbmAt));
            return new Cpu(spec.trim(), c.midr, Integer.parseInt(n), c.lpa2);
        }
        if (s.startsWith("max:midr=")) {
            Cpu c = parse(s.substring(9));
            return new Cpu(spec.trim(), c.midr, 2, true);
        }
        if (s.equals("max")) {
            return new Cpu(spec.trim(), KNOWN.get("max"), 2, true);
        }
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
                    + " (optionally :rXpY), a MIDR like 0x410fd842, or max:midr=0x410fd842");
        }
        int midr = m;
        if (rv >= 0) {
            midr = (midr & ~(0xf << 20) & ~0xf) | (rv >> 4) << 20 | (rv & 0xf);
        }
        return new Cpu(spec.trim(), midr);
    }
}
