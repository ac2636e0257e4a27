package org.ptlab.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ptlab.arch.Granule;

/**
 * The build-configuration choices (a kernel's {@code /boot/config-*}) that decide its linear map:
 * page size, CONFIG_ARM64_VA_BITS, KFENCE with its default sample interval and object count, the
 * rodata default, DEBUG_PAGEALLOC and its default. {@link #debian(KernelVersion, Granule)} gives the
 * values of Debian's generic arm64 build of each release (read from Debian's linux-config-X.Y
 * packages: config.arm64_none_arm64 and config.arm64_none_arm64-16k); {@link #parse} reads a real
 * config file. Applying one sets the per-release defaults of a {@link KernelConfig}; the command line
 * then overrides them as the kernel's own parameters do.
 */
public final class BuildConfig {
    /** The release named in the config's header ("# Linux/arm64 7.2.13 Kernel Configuration"), or null. */
    public KernelVersion version;
    public Granule granule = Granule.G4K;
    /** CONFIG_ARM64_VA_BITS: the most VA bits the build uses (52 runs with 48, or 47 on 16K, without FEAT_LPA2). */
    public int vaBits = 48;
    public boolean kfence;
    /** CONFIG_KFENCE_SAMPLE_INTERVAL: 0 means KFENCE starts disabled and kfence_early_init is false. */
    public long kfenceSampleInterval;
    /** CONFIG_KFENCE_NUM_OBJECTS. */
    public int kfenceNumObjects = 255;
    /** rodata_full before the command line: CONFIG_RODATA_FULL_DEFAULT_ENABLED on 6.x, always on 7.x. */
    public boolean rodataFullDefault = true;
    /** CONFIG_DEBUG_PAGEALLOC together with CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT. */
    public boolean debugPageallocDefault;
    /** CONFIG_DEBUG_PAGEALLOC built in (debug_pagealloc= is ignored without it). */
    public boolean debugPagealloc;
    /** CONFIG_RANDOMIZE_BASE, CONFIG_UNMAP_KERNEL_AT_EL0 and CONFIG_ARM64_E0PD (all y in Debian's builds). */
    public boolean randomizeBase = true;
    public boolean unmapKernelAtEl0 = true;
    public boolean e0pd = true;
    /** NET_PTP_CLASSIFY, BPF_JIT and BPF_JIT_DEFAULT_ON: the PTP classifier is JIT-compiled at boot. */
    public boolean ptpClassifierJit;
    /** Where the values came from, for reports. */
    public String source = "";

    /**
     * Debian's generic arm64 build of a release (4K; the -16k flavour with G16K): 6.1 is VA_BITS=48
     * without KFENCE; 6.12, 7.2 and 7.3 are VA_BITS=52 (LPA2) with KFENCE=y,
     * KFENCE_SAMPLE_INTERVAL=0, KFENCE_NUM_OBJECTS=255; none has DEBUG_PAGEALLOC; 6.x sets
     * RODATA_FULL_DEFAULT_ENABLED (7.x has rodata_full = true built in).
     */
    public static BuildConfig debian(KernelVersion v, Granule g) {
        BuildConfig c = new BuildConfig();
        c.version = v;
        c.granule = g;
        c.source = "Debian's generic arm64" + (g == Granule.G4K ? "" : "-" + g.label.toLowerCase(java.util.Locale.ROOT))
                + " build of Linux " + v.label;
        if (v == KernelVersion.V6_1) {
            c.vaBits = 48;
            c.kfence = false;
        } else {
            c.vaBits = 52;
            c.kfence = true;
            c.kfenceSampleInterval = 0;
            c.kfenceNumObjects = 255;
        }
        c.rodataFullDefault = true;
        c.ptpClassifierJit = true; // NET_PTP_CLASSIFY=y, BPF_JIT=y, BPF_JIT_DEFAULT_ON=y in every release
        return c;
    }

    private static final Pattern SET = Pattern.compile("^CONFIG_([A-Za-z0-9_]+)=(.*)$");
    private static final Pattern UNSET = Pattern.compile("^# CONFIG_([A-Za-z0-9_]+) is not set$");
    private static final Pattern HEADER = Pattern.compile("^# Linux/(\\S+) (\\d+)\\.(\\d+)\\S* Kernel Configuration$");

    /** Read a kernel .config / /boot/config-* text. Errors name the file and line. */
    public static BuildConfig parse(String text, String file) {
        Map<String, String> values = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        BuildConfig c = new BuildConfig();
        c.source = file;
        int lineNo = 0;
        int settings = 0;
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String l = line.strip();
                if (l.isEmpty()) {
                    continue;
                }
                Matcher h = HEADER.matcher(l);
                if (h.matches()) {
                    if (!h.group(1).equals("arm64")) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": a " + h.group(1)
                                + " configuration: expected an arm64 kernel's config");
                    }
                    String label = h.group(2) + "." + h.group(3);
                    for (KernelVersion v : KernelVersion.values()) {
                        if (v.label.equals(label)) {
                            c.version = v;
                        }
                    }
                    if (c.version == null) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": Linux " + label + " is not modelled: expected "
                                + KernelVersion.labels());
                    }
                    continue;
                }
                Matcher u = UNSET.matcher(l);
                if (u.matches()) {
                    values.put(u.group(1), "n");
                    settings++;
                    continue;
                }
                if (l.startsWith("#")) {
                    continue;
                }
                Matcher m = SET.matcher(l);
                if (!m.matches()) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": expected CONFIG_NAME=VALUE or a # comment, got '"
                            + (l.length() > 60 ? l.substring(0, 57) + "..." : l) + "'");
                }
                values.put(m.group(1), m.group(2));
                lines.put(m.group(1), lineNo);
                settings++;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (settings == 0) {
            throw new IllegalArgumentException(file + ":1: no CONFIG_ settings: expected a kernel configuration (/boot/config-*)");
        }
        if (!values.containsKey("ARM64")) {
            throw new IllegalArgumentException(file + ":1: CONFIG_ARM64 is not set: expected an arm64 kernel's config");
        }
        if (y(values, "ARM64_16K_PAGES")) {
            c.granule = Granule.G16K;
        } else if (y(values, "ARM64_64K_PAGES")) {
            c.granule = Granule.G64K;
        } else {
            c.granule = Granule.G4K;
        }
        c.vaBits = (int) number(values, lines, "ARM64_VA_BITS", 48, file);
        if (c.vaBits != 36 && c.vaBits != 39 && c.vaBits != 42 && c.vaBits != 47 && c.vaBits != 48 && c.vaBits != 52) {
            throw new IllegalArgumentException(file + ":" + lines.getOrDefault("ARM64_VA_BITS", 1) + ": CONFIG_ARM64_VA_BITS="
                    + c.vaBits + ": expected 36, 39, 42, 47, 48 or 52");
        }
        c.kfence = y(values, "KFENCE");
        c.kfenceSampleInterval = c.kfence ? number(values, lines, "KFENCE_SAMPLE_INTERVAL", 100, file) : 0;
        c.kfenceNumObjects = c.kfence ? (int) number(values, lines, "KFENCE_NUM_OBJECTS", 255, file) : 255;
        if (c.kfenceSampleInterval < 0 || c.kfenceNumObjects < 1 || c.kfenceNumObjects > 65535) {
            throw new IllegalArgumentException(file + ":" + lines.getOrDefault("KFENCE_NUM_OBJECTS", 1)
                    + ": CONFIG_KFENCE_NUM_OBJECTS / SAMPLE_INTERVAL out of range: expected 1..65535 objects and an interval >= 0");
        }
        boolean seven = c.version != null && c.version.rodataOnIsFull();
        c.rodataFullDefault = seven || y(values, "RODATA_FULL_DEFAULT_ENABLED")
                || (c.version == null && !values.containsKey("RODATA_FULL_DEFAULT_ENABLED"));
        c.debugPagealloc = y(values, "DEBUG_PAGEALLOC");
        c.ptpClassifierJit = y(values, "NET_PTP_CLASSIFY") && y(values, "BPF_JIT") && y(values, "BPF_JIT_DEFAULT_ON");
        c.randomizeBase = y(values, "RANDOMIZE_BASE");
        c.unmapKernelAtEl0 = y(values, "UNMAP_KERNEL_AT_EL0");
        c.e0pd = y(values, "ARM64_E0PD");
        c.debugPageallocDefault = c.debugPagealloc && y(values, "DEBUG_PAGEALLOC_ENABLE_DEFAULT");
        return c;
    }

    private static boolean y(Map<String, String> v, String k) {
        return "y".equals(v.get(k));
    }

    private static long number(Map<String, String> v, Map<String, Integer> lines, String k, long dflt, String file) {
        String s = v.get(k);
        if (s == null || s.equals("n")) {
            return dflt;
        }
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            String shown = s.length() > 40 ? s.substring(0, 37) + "..." : s;
            throw new IllegalArgumentException(file + ":" + lines.getOrDefault(k, 1) + ": CONFIG_" + k + "=" + shown + ": expected a number");
        }
    }

    /** Set the build-time defaults of cfg (its release, when the config names one, granule, VA bits, KFENCE, rodata, debug_pagealloc). */
    public void applyTo(KernelConfig cfg) {
        if (version != null) {
            cfg.version = version;
        }
        cfg.granule = granule;
        cfg.configVaBits = vaBits;
        cfg.kfence = kfence;
        cfg.kfenceSampleInterval = kfenceSampleInterval;
        cfg.kfenceNumObjects = kfenceNumObjects;
        cfg.rodata = rodataFullDefault ? Rodata.FULL : Rodata.NOALIAS;
        cfg.debugPagealloc = debugPageallocDefault;
        cfg.ptpClassifierJit = ptpClassifierJit;
        cfg.buildConfig = this;
    }

    /**
     * vabits_actual: CONFIG_ARM64_VA_BITS, except that a 52-bit build on a CPU without FEAT_LPA2 (4K
     * and 16K pages) runs with VA_BITS_MIN: 48 (4K) or 47 (16K) (asm/memory.h, VA_BITS_MIN;
     * arch/arm64/kernel/pi/map_kernel.c).
     */
    public int vaBitsActual(boolean lpa2) {
        if (vaBits == 52 && !lpa2 && granule != Granule.G64K) {
            return granule == Granule.G16K ? 47 : 48;
        }
        return vaBits;
    }
}
