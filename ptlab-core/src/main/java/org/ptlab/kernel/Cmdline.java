package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Applies a real kernel command line to a {@link KernelConfig}, honouring the parameters that
 * decide the linear map, as the selected release parses them:
 * <ul>
 *   <li>{@code rodata=}: 6.x: full | on | off (and the other kstrtobool spellings), where "on"
 *       protects only the image; 7.x: on (= full) | noalias | off, "full" is rejected;
 *   <li>{@code debug_pagealloc=} (kstrtobool); {@code kfence.sample_interval=N} (also builds
 *       KFENCE in); {@code arm64.nobbml2} (7.x); {@code kpti=} (kstrtobool).
 * </ul>
 * Everything else is passed over, as the kernel hands it to init. A value the kernel would reject
 * leaves the default in place and produces a warning, as the kernel's "Malformed early option".
 */
public final class Cmdline {
    private Cmdline() {}

    /** Apply and return the warnings (empty when every relevant parameter parsed). */
    public static List<String> apply(String cmdline, KernelConfig cfg) {
        List<String> warnings = new ArrayList<>();
        cfg.cmdline = cmdline;
        for (String tok : tokens(cmdline)) {
            int eq = tok.indexOf('=');
            String key = eq < 0 ? tok : tok.substring(0, eq);
            String val = eq < 0 ? null : tok.substring(eq + 1);
            switch (key) {
                case "rodata":
                    rodata(val, cfg, warnings);
                    break;
                case "debug_pagealloc": {
                    Boolean b = strtobool(val);
                    if (b == null) {
                        warnings.add("debug_pagealloc=" + val + ": not a boolean, ignored");
                    } else if (cfg.buildConfig != null && !cfg.buildConfig.debugPagealloc) {
                        warnings.add("debug_pagealloc: this build has no CONFIG_DEBUG_PAGEALLOC, ignored");
                    } else {
                        cfg.debugPagealloc = b;
                    }
                    break;
                }
                case "kfence.sample_interval":
                    try {
                        cfg.kfenceSampleInterval = Long.parseUnsignedLong(val == null ? "" : val.trim());
                        // Without a build config the parameter builds KFENCE in; with one, a kernel
                        // built without KFENCE ignores it as an unknown parameter.
                        if (cfg.buildConfig == null) {
                            cfg.kfence = true;
                        } else if (!cfg.kfence) {
                            cfg.kfenceSampleInterval = 0;
                            warnings.add("kfence.sample_interval: this build has no KFENCE, ignored");
                        }
                    } catch (NumberFormatException e) {
                        warnings.add("kfence.sample_interval=" + val + ": not a number, ignored");
                    }
                    break;
                case "arm64.nobbml2":
                    // No release Debian builds knows it (7.2's and 7.3's pi/idreg-override.c have no
                    // such override; cpu_supports_bbml2_noabort() reads only the MIDR).
                    warnings.add("arm64.nobbml2: unknown to Linux " + cfg.version.label + ", ignored");
                    break;
                case "nokaslr":
                    cfg.noKaslr = true;
                    break;
                case "crashkernel":
                    cfg.crashkernel = val != null && !val.isBlank();
                    break;
                case "kpti": {
                    Boolean b = strtobool(val);
                    if (b == null) {
                        warnings.add("kpti=" + val + ": not a boolean, ignored");
                    } else {
                        cfg.kpti = b;
                    }
                    break;
                }
                default:
                    break;
            }
        }
        return warnings;
    }

    private static void rodata(String val, KernelConfig cfg, List<String> warnings) {
        String v = val == null ? "" : val.trim();
        if (cfg.version.rodataOnIsFull()) {
            switch (v) {
                case "on": cfg.rodata = Rodata.FULL; return;
                case "noalias": cfg.rodata = Rodata.NOALIAS; return;
                case "off": cfg.rodata = Rodata.OFF; return;
                default:
                    warnings.add("rodata=" + v + ": Linux " + cfg.version.label + " accepts on, noalias or off; the default (on = full) applies");
                    return;
            }
        }
        if (v.equals("full")) {
            cfg.rodata = Rodata.FULL;
            return;
        }
        Boolean b = strtobool(v);
        if (b == null) {
            warnings.add("rodata=" + v + ": Linux " + cfg.version.label + " accepts full, on or off; the default (full) applies");
            return;
        }
        cfg.rodata = b ? Rodata.NOALIAS : Rodata.OFF;
    }

    /** kstrtobool(): y/Y/1/on and n/N/0/off; null otherwise. A missing value means true. */
    static Boolean strtobool(String v) {
        if (v == null) {
            return Boolean.TRUE;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return null;
        }
        switch (s.charAt(0)) {
            case 'y': case '1': return Boolean.TRUE;
            case 'n': case '0': return Boolean.FALSE;
            case 'o':
                if (s.startsWith("on")) {
                    return Boolean.TRUE;
                }
                if (s.startsWith("of")) {
                    return Boolean.FALSE;
                }
                return null;
            default: return null;
        }
    }

    /** Split on blanks, honouring double quotes as the kernel's next_arg() does. */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
