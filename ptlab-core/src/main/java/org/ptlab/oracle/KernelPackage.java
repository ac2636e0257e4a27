package org.ptlab.oracle;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Debian arm64 kernel as packages: the one holding the Image ({@code linux-image-*} up to 6.x,
 * {@code linux-binary-*} from 7.x), the one holding its build config ({@code linux-base-*} from 7.x,
 * the image package before), and the one holding its modules ({@code linux-modules-*} from 7.x).
 */
public record KernelPackage(String image, String base, String modules, String release, String flavour) {

    /** Release shorthands pinned to the builds the golden matrix was captured with. */
    static final List<String[]> SHORTHANDS = List.of(
            new String[] {"6.1", "linux-image-6.1.0-56-arm64"},
            new String[] {"6.12", "linux-image-6.12.107+deb13-arm64"},
            new String[] {"6.12-16k", "linux-image-6.12.107+deb13-arm64-16k"},
            new String[] {"7.2", "linux-binary-7.2.13+deb14-arm64"},
            new String[] {"7.2-16k", "linux-binary-7.2.13+deb14-arm64-16k"},
            new String[] {"7.3", "linux-binary-7.3.4+deb13-arm64"},
            new String[] {"7.3-16k", "linux-binary-7.3.4+deb13-arm64-16k"});

    private static final Pattern IMAGE = Pattern.compile("linux-image-(\\d+)\\.(\\d+)[.\\d]*(?:-\\d+|\\+deb\\d+)-arm64(-16k)?(-unsigned)?");
    private static final Pattern BINARY = Pattern.compile("linux-binary-(?:unsigned-)?((\\d+)\\.(\\d+)[.\\d]*\\+deb\\d+)-arm64(-16k)?");

    /** The shorthand's package, or the argument itself when it already is a package name. */
    public static String packageOf(String kernel) {
        for (String[] s : SHORTHANDS) {
            if (s[0].equals(kernel)) {
                return s[1];
            }
        }
        return kernel;
    }

    /** Whether the argument names a release shorthand ("newest" and "newest-16k" included). */
    public static boolean isShorthand(String kernel) {
        return kernel.startsWith("newest") || SHORTHANDS.stream().anyMatch(s -> s[0].equals(kernel));
    }

    /** The packages of an arm64 kernel image package name; rejects names of other shapes. */
    public static KernelPackage of(String pkg) {
        Matcher m = IMAGE.matcher(pkg);
        if (m.matches()) {
            return new KernelPackage(pkg, pkg, pkg, m.group(1) + "." + m.group(2), m.group(3) != null ? "16k" : "4k");
        }
        m = BINARY.matcher(pkg);
        if (m.matches()) {
            String flav = m.group(4) != null ? "-16k" : "";
            String v = m.group(1);
            return new KernelPackage(pkg, "linux-base-" + v + "-arm64" + flav, "linux-modules-" + v + "-arm64" + flav,
                    m.group(2) + "." + m.group(3), flav.isEmpty() ? "4k" : "16k");
        }
        throw new IllegalArgumentException("unknown kernel '" + pkg + "': expected a shorthand ("
                + String.join(", ", SHORTHANDS.stream().map(s -> s[0]).toList())
                + ", newest, newest-16k) or a Debian arm64 package linux-image-VERSION-arm64[-16k] or linux-binary-VERSION-arm64[-16k]");
    }

    /** Packages this kernel needs downloaded for a capture (modules only for a module workload). */
    public List<String> packages(boolean withModules) {
        java.util.LinkedHashSet<String> s = new java.util.LinkedHashSet<>();
        s.add(image);
        s.add(base);
        if (withModules) {
            s.add(modules);
        }
        return List.copyOf(s);
    }

    /** Version key for sorting package names such as linux-binary-7.3.4+deb13-arm64. */
    static int[] versionKey(String pkg) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)").matcher(pkg);
        if (!m.find()) {
            return new int[] {0, 0, 0};
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    static boolean isArm64Binary(String name, boolean k16) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.matches("linux-binary-\\d+\\.\\d+\\.\\d+\\+deb\\d+-arm64" + (k16 ? "-16k" : ""));
    }
}
