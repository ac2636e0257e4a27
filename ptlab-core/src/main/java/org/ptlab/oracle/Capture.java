package org.ptlab.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/**
 * A capture folder read back (docs/oracle.md): its settings ({@code capture.properties}; the four
 * older 6.1 folders have none and stand for Linux 6.1, {@code -cpu max}, 48-bit VA, 4K pages), the
 * kernel's {@code iomem} and {@code cmdline}, the real {@code linear-map.txt} and
 * {@code decomposition}, the {@code trace} of a workload capture, and the inputs of the calls made
 * before the probes existed ({@link BootInputs}: vmallocinfo, kernel-map.txt, kfence-objects, symbols).
 */
public record Capture(String name, Path dir, Map<String, String> props, String iomem, String cmdline, LinearMap map,
        Decomposition decomposition, String trace, BootInputs inputs) {

    /** The keys capture.properties may hold. */
    static final Set<String> KEYS = Set.of("kernel", "kernel.packages", "kernel.uname_r", "kernel.release", "kernel.flavour",
            "qemu.cpu", "qemu.smp", "qemu.memory", "qemu.version", "cmdline.extra", "workload", "model.cpu",
            "regs.ttbr1_el1", "regs.tcr_el1", "regs.mair_el1", "mmu.granule", "mmu.va_bits", "mmu.lpa2", "mmu.levels",
            "linear.first_va", "linear.first_pa", "trace.entries", "capture.trace", "initrd.bytes", "capture.date", "capture.seconds");

    public String release() {
        return props.get("kernel.release");
    }

    public Granule granule() {
        return Granule.parse(props.get("mmu.granule"));
    }

    public int vaBits() {
        return Integer.parseInt(props.get("mmu.va_bits"));
    }

    public Geometry geometry() {
        return Geometry.of(granule(), vaBits());
    }

    public String modelCpu() {
        String q = props.get("qemu.cpu");
        return q != null ? CaptureSpec.modelCpu(q) : props.get("model.cpu");
    }

    /** The kernel's build config kept beside the capture ({@code ../kernels/<uname -r>/config}), or null. */
    public Path kernelConfig() {
        String u = props.get("kernel.uname_r");
        if (u == null || dir.toAbsolutePath().getParent() == null) {
            return null;
        }
        Path p = dir.toAbsolutePath().getParent().resolve("kernels").resolve(u).resolve("config");
        return Files.isRegularFile(p) ? p : null;
    }

    public int smp() {
        return Integer.parseInt(props.get("qemu.smp"));
    }

    public String workload() {
        return props.getOrDefault("workload", "none");
    }

    /** MAIR_EL1 as captured (the kernel's value when the folder has none). */
    public long mair() {
        String m = props.get("regs.mair_el1");
        return m == null ? 0x0000_0004_0044_ffffL : Long.parseUnsignedLong(m.substring(2), 16);
    }

    /** Read and validate a capture folder; a missing or corrupt file is one line naming it. */
    public static Capture load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a capture folder");
        }
        String name = dir.getFileName().toString();
        Map<String, String> props;
        Path pf = dir.resolve("capture.properties");
        if (Files.exists(pf)) {
            props = parseProperties(read(pf), pf.toString());
        } else {
            props = new LinkedHashMap<>();
            props.put("kernel.release", "6.1");
            props.put("kernel.flavour", "4k");
            props.put("qemu.cpu", "max");
            props.put("model.cpu", "max");
            props.put("qemu.smp", "2");
            props.put("mmu.granule", "4K");
            props.put("mmu.va_bits", "48");
            props.put("workload", "none");
        }
        for (String k : new String[] {"kernel.release", "mmu.granule", "mmu.va_bits", "model.cpu", "qemu.smp"}) {
            if (!props.containsKey(k)) {
                throw new IllegalArgumentException(pf + ":1: missing key " + k);
            }
        }
        Geometry geo;
        try {
            geo = Geometry.of(Granule.parse(props.get("mmu.granule")), Integer.parseInt(props.get("mmu.va_bits")));
            if (Integer.parseInt(props.get("qemu.smp")) < 1) {
                throw new IllegalArgumentException("qemu.smp must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pf + ":1: " + e.getMessage());
        }
        String iomem = read(dir.resolve("iomem"));
        String cmdline = read(dir.resolve("cmdline")).trim();
        Path lm = dir.resolve("linear-map.txt");
        LinearMap map = LinearMap.parse(read(lm), lm.toString(), geo);
        Path dp = dir.resolve("decomposition");
        Decomposition dec = Decomposition.parse(read(dp), dp.toString());
        Path tp = dir.resolve("trace");
        String trace = Files.exists(tp) ? read(tp) : null;
        if (!props.getOrDefault("workload", "none").equals("none") && trace == null) {
            throw new IllegalArgumentException(tp + ": missing (a workload capture keeps its trace)");
        }
        BootInputs inputs = BootInputs.load(dir, geo);
        return new Capture(name, dir, props, iomem, cmdline, map, dec, trace, inputs);
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(p + ": missing");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(p + ": cannot read: " + e.getMessage());
        }
    }

    /** key=value lines, # comments; keys from {@link #KEYS}, each once. */
    public static Map<String, String> parseProperties(String text, String file) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + "expected key=value, found '" + LinearMap.clip(s) + "'");
            }
            String k = s.substring(0, eq).strip();
            String v = s.substring(eq + 1).strip();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(where + "unknown key '" + LinearMap.clip(k) + "'");
            }
            if (m.put(k, v) != null) {
                throw new IllegalArgumentException(where + "key '" + k + "' given twice");
            }
            try {
                switch (k) {
                    case "mmu.va_bits", "qemu.smp", "mmu.levels" -> Integer.parseInt(v);
                    case "regs.ttbr1_el1", "regs.tcr_el1", "regs.mair_el1", "linear.first_va", "linear.first_pa" -> {
                        if (!v.startsWith("0x")) {
                            throw new NumberFormatException();
                        }
                        Long.parseUnsignedLong(v.substring(2), 16);
                    }
                    case "mmu.granule" -> Granule.parse(v);
                    case "kernel.release" -> {
                        if (!v.matches("\\d+\\.\\d+")) {
                            throw new IllegalArgumentException(where + "kernel.release: expected X.Y, found '" + LinearMap.clip(v) + "'");
                        }
                    }
                    default -> { }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + k + ": expected a number, found '" + LinearMap.clip(v) + "'");
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(file) ? e : new IllegalArgumentException(where + e.getMessage());
            }
        }
        return m;
    }
}
