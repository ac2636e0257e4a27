package org.ptlab.oracle;

import java.util.Locale;

/**
 * What to capture: a kernel (shorthand or package), guest memory, QEMU CPU, CPU count, extra kernel
 * command line, guest workload, the capture folder's name, and whether the harness traces from boot
 * ({@code trace}; false is a plain capture, {@code --no-trace}: the command line is {@code
 * console=ttyAMA0} plus the user's, without the kprobe/trace events and {@code no_hash_pointers}
 * whose boot-time allocations move pages, docs/oracle.md).
 */
public record CaptureSpec(String kernel, String mem, String cpu, int smp, String cmdline, String workload, String name, boolean trace) {

    /** A traced capture (the default). */
    public CaptureSpec(String kernel, String mem, String cpu, int smp, String cmdline, String workload, String name) {
        this(kernel, mem, cpu, smp, cmdline, workload, name, true);
    }

    public static final String[] WORKLOADS = {"none", "modules", "modules-cycle"};

    public CaptureSpec {
        if (kernel == null || kernel.isBlank()) {
            throw new IllegalArgumentException("no kernel given: expected --kernel 6.1, 6.12, 7.2, 7.2-16k, 7.3, newest or a package name");
        }
        if (mem == null || !mem.matches("\\d{1,6}[MG]")) {
            throw new IllegalArgumentException("bad memory size '" + mem + "': expected e.g. 2G or 1536M");
        }
        long mib = memMiB(mem);
        if (mib < 256 || mib > 64 * 1024) {
            throw new IllegalArgumentException("bad memory size '" + mem + "': expected 256M .. 64G");
        }
        if (cpu == null || !cpu.matches("[a-z0-9-]+(,[a-z0-9-]+=[a-z0-9x]+)*")) {
            throw new IllegalArgumentException("bad QEMU CPU '" + cpu + "': expected e.g. max, cortex-a57 or max,midr=0x410fd842");
        }
        if (smp < 1 || smp > 8) {
            throw new IllegalArgumentException("bad CPU count " + smp + ": expected 1 .. 8");
        }
        if (cmdline == null) {
            cmdline = "";
        }
        if (cmdline.contains("\n") || cmdline.contains("\"") || cmdline.contains("'")) {
            throw new IllegalArgumentException("bad kernel command line: no quotes or line breaks");
        }
        if (workload == null) {
            workload = "none";
        }
        if (!java.util.Arrays.asList(WORKLOADS).contains(workload)) {
            throw new IllegalArgumentException("unknown workload '" + workload + "': expected " + String.join(", ", WORKLOADS));
        }
        if (!trace && !workload.equals("none")) {
            throw new IllegalArgumentException("--no-trace with workload '" + workload + "': a workload capture keeps its trace (oracle check replays it)");
        }
        if (name != null && !name.matches("[A-Za-z0-9._+-]{1,100}")) {
            throw new IllegalArgumentException("bad capture name '" + name + "': expected letters, digits, . _ + -");
        }
    }

    public static long memMiB(String mem) {
        long n = Long.parseLong(mem.substring(0, mem.length() - 1));
        return mem.endsWith("G") ? n * 1024 : n;
    }

    /** The ptlab CPU the model is given for the QEMU CPU. */
    public String modelCpu() {
        return modelCpu(cpu);
    }

    /**
     * The ptlab spelling of a QEMU {@code -cpu}: {@code max,midr=X} is QEMU's max with another MIDR
     * ({@code max:midr=X}: it keeps max's LPA2, BBM level and E0PD), another CPU with a MIDR
     * override is that MIDR, else the name.
     */
    public static String modelCpu(String cpu) {
        String[] parts = cpu.split(",");
        for (String part : parts) {
            if (part.startsWith("midr=") && part.length() > 5) {
                return parts[0].equals("max") ? "max:midr=" + part.substring(5) : part.substring(5);
            }
        }
        return parts[0];
    }

    /** A folder name from the settings when none was given. */
    public String folderName() {
        if (name != null) {
            return name;
        }
        StringBuilder b = new StringBuilder(kernel.replace('+', '_'));
        String c = cpu.replace(",midr=", "-");
        b.append('-').append(c).append('-').append(mem).append("-smp").append(smp);
        for (String tok : cmdline.trim().split("\\s+")) {
            if (!tok.isEmpty()) {
                b.append('-').append(tok.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "_"));
            }
        }
        if (!workload.equals("none")) {
            b.append('-').append(workload);
        }
        if (!trace) {
            b.append("-notrace");
        }
        String s = b.toString();
        return s.length() > 100 ? s.substring(0, 100) : s;
    }
}
