package org.ptlab.oracle;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Captures a real Debian arm64 kernel's linear map under QEMU (docs/oracle.md): downloads and
 * caches the kernel with a private apt configuration for arm64, builds a busybox initramfs whose
 * /init prints what the kernel reports and runs the workload, boots it with guest RAM in a host
 * file, reads TTBR1_EL1/TCR_EL1/MAIR_EL1 through QEMU's gdbstub once /init says it is done, stops
 * QEMU and walks the tables in the RAM file. The capture folder is written atomically.
 */
public final class Capturer {
    /** Guest RAM's first physical address on QEMU's virt machine. */
    public static final long VIRT_RAM_BASE = 0x4000_0000L;
    static final String READY = "@@PTLAB-READY";
    /** Markers of kernel-map.txt: the TTBR1 leaves above the linear map (vmalloc, modules, image, vmemmap, fixmap). */
    public static final String KERNEL_MAP_START = "---[ Kernel Area start ]---";
    public static final String KERNEL_MAP_END = "---[ Kernel Area end ]---";
    static final String BEGIN = "@@PTLAB-BEGIN ";
    static final String END = "@@PTLAB-END ";
    /** Written into the trace (trace_marker) where the workload starts: the replay begins after it. */
    public static final String WORKLOAD_MARK = "ptlab workload start";

    /** Modules without dependencies on Debian's 7.2 (fs drivers): the module-load workload. */
    static final String[] WORKLOAD_MODULES = {"xfs", "nilfs2", "ufs", "minix", "efs", "qnx4", "bfs"};
    /** Unloaded again at the end of the module-load workload. */
    static final String[] WORKLOAD_UNLOAD = {"qnx4", "minix"};

    /** The kprobe events of docs/traces.md plus the 7.x functions that carry linear addresses. */
    static final String[] PROBES = {
        "p:ptlab/set_memory_ro set_memory_ro addr=%x0:x64 numpages=%x1:s32",
        "p:ptlab/set_memory_rw set_memory_rw addr=%x0:x64 numpages=%x1:s32",
        "p:ptlab/set_memory_x set_memory_x addr=%x0:x64 numpages=%x1:s32",
        "p:ptlab/set_memory_nx set_memory_nx addr=%x0:x64 numpages=%x1:s32",
        "p:ptlab/set_memory_valid set_memory_valid addr=%x0:x64 numpages=%x1:s32 enable=%x2:s32",
        "p:ptlab/set_direct_map_invalid set_direct_map_invalid_noflush page=%x0:x64",
        "p:ptlab/set_direct_map_default set_direct_map_default_noflush page=%x0:x64",
        "p:ptlab/set_direct_map_valid set_direct_map_valid_noflush page=%x0:x64 nr=%x1:u32 valid=%x2:u8",
        "p:ptlab/vmalloc __vmalloc_node_range_noprof size=%x0:x64 align=%x1:x64 start=%x2:x64 end=%x3:x64 vm_flags=%x6:x64",
        "r:ptlab/vmalloc_ret __vmalloc_node_range_noprof ret=$retval:x64",
        "p:ptlab/vmalloc __vmalloc_node_range size=%x0:x64 align=%x1:x64 start=%x2:x64 end=%x3:x64 vm_flags=%x6:x64",
        "r:ptlab/vmalloc_ret __vmalloc_node_range ret=$retval:x64",
        "p:ptlab/vfree vfree addr=%x0:x64",
        "p:ptlab/update_range_prot update_range_prot addr=%x0:x64 size=%x1:x64 set=%x2:x64 clear=%x3:x64",
        "p:ptlab/change_memory_common __change_memory_common start=%x0:x64 size=%x1:x64 set=%x2:x64 clear=%x3:x64",
        "p:ptlab/split_kernel_leaf_mapping split_kernel_leaf_mapping start=%x0:x64 end=%x1:x64",
    };

    private final Path cache;
    private final PrintWriter log;
    private final String qemu;
    private final String gdb;
    /** The initramfs's size in bytes (zero-padded, xz-compressed), 0: as built (gzip). */
    private long initrdSize;
    /** The last capture's initramfs size (capture.properties initrd.bytes). */
    private long initrdBytes;

    public Capturer(Path cache, PrintWriter log) {
        this.cache = cache;
        this.log = log;
        this.qemu = System.getProperty("ptlab.qemu", env("PTLAB_QEMU", "qemu-system-aarch64"));
        this.gdb = System.getProperty("ptlab.gdb", env("PTLAB_GDB", "gdb-multiarch"));
    }

    private static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    /**
     * Pads the initramfs with zeros to {@code bytes} (xz-compressed so that it fits; the kernel's
     * unpacker skips the zeros): its memblock reservation, the {@code 48000000-... : reserved} line
     * of /proc/iomem on QEMU's virt board, is then that of an earlier boot whose initramfs had this
     * size. The boot-time allocations depend on it (docs/oracle.md). 0: the initramfs as built.
     */
    public Capturer initrdSize(long bytes) {
        if (bytes < 0 || bytes > 64L << 20) {
            throw new IllegalArgumentException("bad initramfs size " + bytes + ": expected 1 .. 64M bytes");
        }
        this.initrdSize = bytes;
        return this;
    }

    /** The default cache: $PTLAB_ORACLE_CACHE, else ~/.cache/ptlab/oracle. */
    public static Path defaultCache() {
        String e = System.getenv("PTLAB_ORACLE_CACHE");
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ptlab", "oracle");
    }

    /** Checks the host tools before anything is downloaded or written; one-line errors. */
    public void checkTools(boolean needGdb) {
        for (String t : needGdb ? new String[] {qemu, gdb, "cpio", "dpkg-deb", "apt-get", "gzip", "xz"}
                : new String[] {"apt-get", "dpkg-deb"}) {
            if (!onPath(t)) {
                String pkg = t.equals(qemu) ? "qemu-system-arm" : t.equals(gdb) ? "gdb-multiarch" : t.equals("xz") ? "xz-utils" : t;
                throw new IllegalArgumentException(t + " is not installed: install it (apt-get install " + pkg + ")");
            }
        }
    }

    static boolean onPath(String tool) {
        if (tool.contains("/")) {
            return Files.isExecutable(Path.of(tool));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- apt

    private Path aptDir() {
        return cache.resolve("apt");
    }

    /** Writes the private apt configuration (arm64, Debian suites) once. */
    private Path aptConfig() throws IOException {
        Path d = aptDir();
        Path conf = d.resolve("apt.conf");
        if (Files.exists(conf)) {
            return conf;
        }
        Files.createDirectories(d.resolve("lists/partial"));
        Files.createDirectories(d.resolve("cache/archives/partial"));
        Files.createDirectories(d.resolve("etc/apt.conf.d"));
        Files.createDirectories(d.resolve("etc/preferences.d"));
        Files.createDirectories(d.resolve("etc/sources.list.d"));
        if (!Files.exists(d.resolve("status"))) {
            Files.writeString(d.resolve("status"), "");
        }
        String key = "[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]";
        Files.writeString(d.resolve("etc/sources.list"),
                "deb " + key + " http://deb.debian.org/debian bookworm main\n"
                + "deb " + key + " http://deb.debian.org/debian-security bookworm-security main\n"
                + "deb " + key + " http://deb.debian.org/debian trixie main\n"
                + "deb " + key + " http://deb.debian.org/debian trixie-backports main\n"
                + "deb " + key + " http://deb.debian.org/debian sid main\n");
        String a = d.toAbsolutePath().toString();
        String text = "APT::Architecture \"arm64\";\nAPT::Architectures \"arm64\";\n"
                + "Dir::State \"" + a + "\";\nDir::State::Lists \"" + a + "/lists\";\nDir::State::status \"" + a + "/status\";\n"
                + "Dir::Cache \"" + a + "/cache\";\nDir::Etc::SourceList \"" + a + "/etc/sources.list\";\n"
                + "Dir::Etc::SourceParts \"" + a + "/etc/sources.list.d\";\nDir::Etc::Parts \"" + a + "/etc/apt.conf.d\";\n"
                + "Dir::Etc::Preferences \"" + a + "/etc/preferences\";\nDir::Etc::PreferencesParts \"" + a + "/etc/preferences.d\";\n"
                + "Acquire::Check-Valid-Until \"false\";\nAPT::Sandbox::User \"root\";\n";
        Path tmp = d.resolve("apt.conf.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, conf, StandardCopyOption.ATOMIC_MOVE);
        return conf;
    }

    private List<String> aptEnv(List<String> cmd) throws IOException {
        List<String> c = new ArrayList<>();
        c.add("env");
        c.add("APT_CONFIG=" + aptConfig().toAbsolutePath());
        c.addAll(cmd);
        return c;
    }

    /** apt-get update of the private lists when they are missing or older than a day. */
    private void aptLists() throws IOException {
        aptConfig();
        Path lists = aptDir().resolve("lists");
        boolean fresh;
        try (Stream<Path> s = Files.list(lists)) {
            fresh = s.anyMatch(p -> p.getFileName().toString().endsWith("_Packages") && isRecent(p));
        }
        if (!fresh) {
            log.println("oracle: apt-get update (arm64 package lists of bookworm, trixie, sid)...");
            log.flush();
            Result r = run(aptEnv(List.of("apt-get", "update", "-q")), null, 600);
            if (r.code != 0) {
                throw new IllegalArgumentException("apt-get update failed (no network to deb.debian.org?): " + lastLine(r.err));
            }
        }
    }

    private static boolean isRecent(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isAfter(Instant.now().minus(7, ChronoUnit.DAYS));
        } catch (IOException e) {
            return false;
        }
    }

    /** The package name a kernel argument stands for (resolving "newest" from the archive). */
    public String resolve(String kernel) throws IOException {
        if (kernel.equals("newest") || kernel.equals("newest-16k")) {
            aptLists();
            boolean k16 = kernel.endsWith("-16k");
            Result r = run(aptEnv(List.of("apt-cache", "pkgnames", "linux-binary-")), null, 120);
            String best = null;
            for (String n : r.out.split("\n")) {
                n = n.trim();
                if (KernelPackage.isArm64Binary(n, k16) && (best == null || compare(KernelPackage.versionKey(n), KernelPackage.versionKey(best)) > 0)) {
                    best = n;
                }
            }
            if (best == null) {
                throw new IllegalArgumentException("no arm64 kernel found in the Debian archive for '" + kernel + "'");
            }
            return best;
        }
        return KernelPackage.packageOf(kernel);
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    /** The .deb of a package in the cache, downloaded if needed. Unknown packages: one-line error. */
    Path deb(String pkg) throws IOException {
        Path debs = cache.resolve("debs");
        Files.createDirectories(debs);
        Path found = findDeb(debs, pkg);
        if (found != null) {
            return found;
        }
        aptLists();
        log.println("oracle: downloading " + pkg + "...");
        log.flush();
        Result r = run(aptEnv(List.of("apt-get", "download", "-q", pkg)), debs, 1800);
        found = findDeb(debs, pkg);
        if (r.code != 0 || found == null) {
            String why = r.err.contains("Unable to locate") || r.err.contains("has no installation candidate")
                    ? "no such package in Debian's arm64 archive (bookworm, trixie, trixie-backports, sid)" : lastLine(r.err);
            throw new IllegalArgumentException("unknown kernel package '" + pkg + "': " + why);
        }
        return found;
    }

    private static Path findDeb(Path debs, String pkg) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(debs, pkg.replace("+", "?") + "_*_arm64.deb")) {
            for (Path p : ds) {
                if (p.getFileName().toString().startsWith(pkg + "_")) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The package extracted under cache/pkgs/PKG (extracted once, atomically). */
    Path extracted(String pkg) throws IOException {
        Path dir = cache.resolve("pkgs").resolve(pkg);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path deb = deb(pkg);
        Path tmp = Files.createTempDirectory(cache, ".x-");
        Result r = run(List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()), null, 600);
        if (r.code != 0) {
            deleteTree(tmp);
            throw new IllegalArgumentException("dpkg-deb -x " + deb + " failed: " + lastLine(r.err));
        }
        Files.createDirectories(dir.getParent());
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** First file under root whose path matches the pattern, or null. */
    static Path find(Path root, String regex) throws IOException {
        Pattern p = Pattern.compile(regex);
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(f -> p.matcher(root.relativize(f).toString()).matches())
                    .sorted().findFirst().orElse(null);
        }
    }

    // ---------------------------------------------------------------- capture

    /** The result of one capture: its folder and the seconds it took. */
    public record Done(Path folder, double seconds) {}

    /** Capture one configuration into out/NAME (replacing an older capture of that name). */
    public Done capture(CaptureSpec spec, Path out) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        checkTools(true);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": not a folder");
        }
        String pkgName = resolve(spec.kernel());
        KernelPackage kp = KernelPackage.of(pkgName);
        boolean modules = spec.workload().startsWith("modules");
        Path img = extracted(kp.image());
        Path base = extracted(kp.base());
        Path image = find(img, "(boot/vmlinuz-.*|usr/lib/modules/[^/]+/vmlinuz)");
        Path config = find(base, "(boot/config-.*|usr/lib/modules/[^/]+/config)");
        if (image == null || config == null) {
            throw new IllegalArgumentException("package " + kp.image() + " holds no arm64 Image (vmlinuz) or build config");
        }
        Path modTree = modules ? extracted(kp.modules()) : null;
        Path busybox = find(extracted("busybox-static"), "(usr/)?bin/busybox");
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + ": cannot create: " + e.getMessage());
        }
        if (!Files.isWritable(out)) {
            throw new IllegalArgumentException("--out " + out + ": not writable");
        }

        Path work = Files.createTempDirectory("ptlab-oracle-");
        Path tmpOut = Files.createTempDirectory(out, ".capture-");
        try {
            Path root = work.resolve("root");
            Files.createDirectories(root.resolve("bin"));
            Files.copy(busybox, root.resolve("bin/busybox"));
            root.resolve("bin/busybox").toFile().setExecutable(true);
            List<String> loadOrder = modules ? stageModules(modTree, root) : List.of();
            Path init = root.resolve("init");
            Files.writeString(init, initScript(spec.workload(), loadOrder, spec.trace()));
            Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path initrd = work.resolve("initrd.gz");
            String compress = initrdSize > 0 ? "xz --check=crc32 -9" : "gzip -1";
            Result c = run(List.of("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet | " + compress + " > '" + initrd + "'"), null, 300);
            if (c.code != 0) {
                throw new IOException("building the initramfs failed: " + lastLine(c.err));
            }
            if (initrdSize > 0) {
                long built = Files.size(initrd);
                if (built > initrdSize) {
                    throw new IllegalArgumentException("--initrd-size " + initrdSize + ": the initramfs is " + built + " bytes (xz), larger");
                }
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(initrd.toFile(), "rw")) {
                    f.setLength(initrdSize); // zeros: skipped by init/initramfs.c unpack_to_rootfs()
                }
            }
            initrdBytes = Files.size(initrd);
            String cmdline = fullCmdline(spec, spec.trace());
            Boot boot = boot(spec, image, initrd, cmdline, work);
            writeCapture(spec, kp, boot, cmdline, config, tmpOut, out, t0);
            Path dest = out.resolve(spec.folderName());
            if (Files.exists(dest)) {
                Path old = Files.createTempDirectory(out, ".old-");
                Files.move(dest, old.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
                moveAtomic(tmpOut, dest);
                deleteTree(old);
            } else {
                moveAtomic(tmpOut, dest);
            }
            return new Done(dest, (System.nanoTime() - t0) / 1e9);
        } finally {
            deleteTree(work);
            if (Files.exists(tmpOut)) {
                deleteTree(tmpOut);
            }
        }
    }

    private static void moveAtomic(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * The kernel command line: console, then the user's, then the boot-time kprobes. A plain capture
     * ({@code trace} false, {@code --no-trace}) is {@code console=ttyAMA0} and the user's only:
     * nothing the harness adds allocates at boot (the kprobes' slot page, the 16M trace buffer).
     */
    static String fullCmdline(CaptureSpec spec, boolean trace) {
        // no_hash_pointers: %p prints real addresses (the KFENCE objects' pages in debugfs); no effect on page tables
        StringBuilder b = new StringBuilder(trace ? "console=ttyAMA0 no_hash_pointers" : "console=ttyAMA0");
        if (!spec.cmdline().isBlank()) {
            b.append(' ').append(spec.cmdline().trim());
        }
        if (trace) {
            b.append(" trace_buf_size=16M trace_event=module:module_load kprobe_event=");
            for (int i = 0; i < PROBES.length; i++) {
                b.append(i == 0 ? "" : ";").append(PROBES[i].replace(' ', ','));
            }
        }
        return b.toString();
    }

    /** Copies the workload's modules (decompressed) and their dependencies into root/modules; load order. */
    private List<String> stageModules(Path tree, Path root) throws IOException, InterruptedException {
        Map<String, Path> all = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(tree)) {
            s.filter(p -> p.toString().contains("/kernel/")).filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz)?"))
                    .forEach(p -> all.put(modName(p), p));
        }
        Files.createDirectories(root.resolve("modules"));
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String m : WORKLOAD_MODULES) {
            if (!all.containsKey(m)) {
                log.println("oracle: note: this kernel has no module " + m + " (built in or dropped): not loaded");
                continue;
            }
            addWithDeps(m, all, root, order, 0);
        }
        return new ArrayList<>(order);
    }

    private static String modName(Path p) {
        return p.getFileName().toString().replaceAll("\\.ko(\\.xz)?$", "").replace('-', '_');
    }

    private void addWithDeps(String m, Map<String, Path> all, Path root, LinkedHashSet<String> order, int depth)
            throws IOException, InterruptedException {
        String key = m.replace('-', '_');
        if (order.contains(key) || depth > 20) {
            return;
        }
        Path src = all.get(key);
        if (src == null) {
            throw new IllegalArgumentException("module " + m + " is not in the kernel's module package");
        }
        Path dst = root.resolve("modules").resolve(key + ".ko");
        if (src.toString().endsWith(".xz")) {
            Result r = run(List.of("sh", "-c", "xz -dc '" + src + "' > '" + dst + "'"), null, 120);
            if (r.code != 0) {
                throw new IOException("xz -dc " + src + " failed: " + lastLine(r.err));
            }
        } else {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
        }
        for (String dep : depends(Files.readAllBytes(dst))) {
            addWithDeps(dep, all, root, order, depth + 1);
        }
        order.add(key);
    }

    /** The depends= field of a module's .modinfo section (NUL-separated key=value strings). */
    static List<String> depends(byte[] ko) {
        byte[] pat = "depends=".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + pat.length <= ko.length; i++) {
            if (i > 0 && ko[i - 1] != 0) {
                continue;
            }
            for (int k = 0; k < pat.length; k++) {
                if (ko[i + k] != pat[k]) {
                    continue outer;
                }
            }
            int j = i + pat.length;
            int e = j;
            while (e < ko.length && ko[e] != 0) {
                e++;
            }
            String v = new String(ko, j, e - j, StandardCharsets.US_ASCII).trim();
            List<String> d = new ArrayList<>();
            for (String x : v.split(",")) {
                if (!x.isBlank()) {
                    d.add(x.trim());
                }
            }
            return d;
        }
        return List.of();
    }

    /** The guest's /init of a traced capture. */
    static String initScript(String workload, List<String> modules) {
        return initScript(workload, modules, true);
    }

    /**
     * The guest's /init: mounts, quiets the console, runs the workload, prints sections, then READY.
     * Without trace (a plain capture) it leaves tracefs alone (no trace_marker write, no trace) and
     * skips the KFENCE objects (their debugfs addresses are hashed without no_hash_pointers);
     * /proc/vmallocinfo and /proc/kallsyms show real addresses to root under kptr_restrict=1 (%pK).
     */
    static String initScript(String workload, List<String> modules, boolean trace) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/busybox sh\n");
        s.append("/bin/busybox --install -s /bin\n");
        s.append("export PATH=/bin\n");
        s.append("mkdir -p /proc /sys /dev /tmp\n");
        s.append("mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev 2>/dev/null\n");
        if (trace) {
            s.append("mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null\n");
        }
        s.append("echo 1 > /proc/sys/kernel/printk\n");
        s.append("emit() { echo '" + BEGIN + "'$1; cat $2; echo; echo '" + END + "'$1; }\n");
        if (trace) {
            s.append("echo '" + WORKLOAD_MARK + "' > /sys/kernel/tracing/trace_marker\n");
        }
        if (workload.startsWith("modules")) {
            int rounds = workload.equals("modules-cycle") ? 3 : 1;
            for (int r = 0; r < rounds; r++) {
                for (String m : modules) {
                    s.append("insmod /modules/").append(m).append(".ko >> /tmp/workload 2>&1 && echo loaded ").append(m).append(" >> /tmp/workload\n");
                }
                for (String m : WORKLOAD_UNLOAD) {
                    s.append("rmmod ").append(m).append(" >> /tmp/workload 2>&1 && echo unloaded ").append(m).append(" >> /tmp/workload\n");
                }
                if (r + 1 < rounds) {
                    for (String m : modules) {
                        s.append("rmmod ").append(m).append(" >> /tmp/workload 2>&1\n");
                    }
                    s.append("echo unloaded all >> /tmp/workload\n");
                }
            }
            s.append("sleep 1\n");
            s.append("emit workload /tmp/workload\n");
        }
        if (trace) {
            s.append("echo 0 > /sys/kernel/tracing/tracing_on\n");
        }
        // KFENCE: no new samples from here on (the object state read last stays what the walk sees)
        s.append("[ -w /sys/module/kfence/parameters/sample_interval ] && echo 0 > /sys/module/kfence/parameters/sample_interval\n");
        s.append("echo 1 > /proc/sys/kernel/kptr_restrict 2>/dev/null\n");
        s.append("mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null\n");
        if (trace) {
            s.append("emit trace /sys/kernel/tracing/trace\n");
            s.append("emit kprobe_events /sys/kernel/tracing/kprobe_events\n");
        }
        s.append("emit uname /proc/version\n");
        s.append("emit uname_r /proc/sys/kernel/osrelease\n");
        s.append("emit cmdline /proc/cmdline\n");
        s.append("emit iomem /proc/iomem\n");
        s.append("emit meminfo /proc/meminfo\n");
        s.append("grep -E ' (set_memory_|set_direct_map_|__change_memory_common|change_memory_common|update_range_prot"
                + "|split_kernel_leaf_mapping|__vmalloc_node_range|vfree$|_stext$|_text$|__init_begin$|__init_end$|__bss_stop$|_end$)' /proc/kallsyms > /tmp/syms\n");
        s.append("emit symbols /tmp/syms\n");
        s.append("dmesg > /tmp/dmesg\nemit dmesg /tmp/dmesg\n");
        s.append("cat /proc/vmallocinfo > /tmp/vmallocinfo\nemit vmallocinfo /tmp/vmallocinfo\n");
        // last before READY: the KFENCE objects' state (index line, allocated/freed lines; no stacks)
        if (trace) {
            s.append("if [ -r /sys/kernel/debug/kfence/objects ]; then grep -E '^(kfence-#|allocated by|freed by|rcu freeing by)' /sys/kernel/debug/kfence/objects > /tmp/kfo;"
                    + " emit kfence_objects /tmp/kfo; fi\n");
        }
        s.append("echo " + READY + "\n");
        s.append("while true; do sleep 1000; done\n");
        return s.toString();
    }

    /** What a boot produced: the serial log's sections and the walked linear map. */
    record Boot(Map<String, String> sections, Regime regime, LinearMap map, LinearMap kernelMap, String qemuVersion) {}

    private Boot boot(CaptureSpec spec, Path image, Path initrd, String cmdline, Path work) throws IOException, InterruptedException {
        Path ram = work.resolve("ram");
        Path serial = work.resolve("serial.log");
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        String size = CaptureSpec.memMiB(spec.mem()) + "M";
        List<String> cmd = List.of(qemu, "-M", "virt,memory-backend=ram0",
                "-object", "memory-backend-file,id=ram0,size=" + size + ",mem-path=" + ram + ",share=on",
                "-m", size, "-cpu", qemuCpu(spec.cpu()), "-smp", Integer.toString(spec.smp()),
                "-display", "none", "-nic", "none", "-monitor", "none", "-serial", "file:" + serial,
                "-gdb", "tcp:127.0.0.1:" + port, "-no-reboot",
                "-kernel", image.toString(), "-initrd", initrd.toString(), "-append", cmdline);
        String version = firstLine(run(List.of(qemu, "--version"), null, 30).out).replace("QEMU emulator version ", "");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("qemu.out").toFile());
        Process q = pb.start();
        try {
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(Long.getLong("ptlab.oracle.timeout", 900));
            String text = "";
            while (true) {
                if (Files.exists(serial)) {
                    text = Files.readString(serial, StandardCharsets.ISO_8859_1).replace("\r", "");
                    if (text.contains("\n" + READY + "\n")) {
                        break;
                    }
                }
                if (!q.isAlive()) {
                    throw new IOException("QEMU ended before the guest was ready (exit " + q.exitValue() + "): "
                            + lastLine(Files.readString(work.resolve("qemu.out"))) + " / serial: " + lastLines(text, 3));
                }
                if (text.isEmpty() && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(Long.getLong("ptlab.oracle.silent", 240))) {
                    throw new IOException("the guest printed nothing on its serial port (a CPU without this kernel's granule, e.g."
                            + " cortex-a57 with a 16K kernel, stops before the console)");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the guest did not get ready in time; serial: " + lastLines(text, 3));
                }
                Thread.sleep(200);
            }
            // halt the guest through the gdbstub, read the registers, then freeze QEMU while halted
            Result g = run(List.of(gdb, "-batch", "-nx", "-ex", "set architecture aarch64",
                    "-ex", "target remote 127.0.0.1:" + port,
                    "-ex", "p/x $TTBR1_EL1", "-ex", "p/x $TCR_EL1", "-ex", "p/x $MAIR_EL1",
                    "-ex", "shell kill -STOP " + q.pid()), null, 120);
            Matcher m = Pattern.compile("\\$\\d+ = (0x[0-9a-f]+)").matcher(g.out);
            List<Long> regs = new ArrayList<>();
            while (m.find()) {
                regs.add(Long.parseUnsignedLong(m.group(1).substring(2), 16));
            }
            if (regs.size() != 3) {
                throw new IOException("gdb did not read TTBR1_EL1, TCR_EL1 and MAIR_EL1: " + lastLine(g.out + g.err));
            }
            Regime r = new Regime(regs.get(0), regs.get(1), regs.get(2));
            LinearMap map;
            LinearMap kmap;
            try (TableImage.GuestRam mem = new TableImage.GuestRam(ram, VIRT_RAM_BASE, (int) r.granule.pageSize())) {
                map = TtbrWalker.walk(mem, r);
                kmap = TtbrWalker.walkKernelArea(mem, r);
            }
            return new Boot(sections(text), r, map, kmap, version);
        } finally {
            q.destroyForcibly();
            run(List.of("kill", "-CONT", Long.toString(q.pid())), null, 10);
            q.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The -cpu argument: CPUs based on {@code max} get {@code pauth-impdef=on} (QEMU's cheap pointer
     * authentication hash instead of QARMA5, several times faster under TCG; the kernel's page
     * tables do not depend on it) unless the spec says otherwise.
     */
    static String qemuCpu(String cpu) {
        return cpu.startsWith("max") && !cpu.contains("pauth") ? cpu + ",pauth-impdef=on" : cpu;
    }

    /** The @@PTLAB-BEGIN/END sections of the serial log. */
    static Map<String, String> sections(String log) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(BEGIN) + "(\\S+)\n").matcher(log);
        while (m.find()) {
            String name = m.group(1);
            int e = log.indexOf("\n" + END + name + "\n", m.end() - 1);
            if (e < 0) {
                continue;
            }
            String body = log.substring(m.end(), e + 1);
            if (body.endsWith("\n\n")) {
                body = body.substring(0, body.length() - 1); // emit's extra echo
            }
            out.put(name, body);
        }
        return out;
    }

    /** dmesg lines that matter for the linear map. */
    static final Pattern DMESG = Pattern.compile("(?i)(BBM|bbml2|kfence|rodata|memory|LPA2|52-bit|VA_BITS|va bits|crashkernel"
            + "|Kernel command line|Machine model|CPU features|Memory:|zone|DMA|mem=|Unknown kernel command line|Malformed|kprobe|trace|Booting Linux)");

    private void writeCapture(CaptureSpec spec, KernelPackage kp, Boot b, String cmdline, Path config, Path dir, Path out, long t0)
            throws IOException {
        Map<String, String> s = b.sections();
        for (String need : new String[] {"iomem", "cmdline", "meminfo", "uname", "uname_r", "dmesg"}) {
            if (!s.containsKey(need)) {
                throw new IOException("the guest did not report its " + need);
            }
        }
        String unameR = s.get("uname_r").trim();
        Files.writeString(dir.resolve("iomem"), s.get("iomem"));
        Files.writeString(dir.resolve("cmdline"), s.get("cmdline"));
        Files.writeString(dir.resolve("meminfo"), s.get("meminfo"));
        Files.writeString(dir.resolve("uname"), s.get("uname"));
        StringBuilder dm = new StringBuilder();
        for (String line : s.get("dmesg").split("\n")) {
            if (DMESG.matcher(line).find()) {
                dm.append(line).append('\n');
            }
        }
        Files.writeString(dir.resolve("dmesg"), dm.toString());
        if (s.containsKey("symbols")) {
            Files.writeString(dir.resolve("symbols"), s.get("symbols"));
        }
        String traceNote = null;
        if (s.containsKey("trace")) {
            String trace = s.get("trace");
            Files.writeString(dir.resolve("trace"), traceHeader(b.regime()) + trace);
            if (s.containsKey("workload")) {
                Files.writeString(dir.resolve("workload"), s.get("workload"));
            }
            Matcher m = Pattern.compile("entries-in-buffer/entries-written: (\\d+)/(\\d+)").matcher(trace);
            traceNote = m.find() ? m.group(1) + "/" + m.group(2) : "unknown";
            if (s.containsKey("kprobe_events")) {
                Files.writeString(dir.resolve("kprobe_events"), s.get("kprobe_events"));
            }
            if (m.find(0) && !m.group(1).equals(m.group(2))) {
                log.println("oracle: warning: the trace lost events (" + traceNote + "): raise trace_buf_size");
            }
        }
        Files.writeString(dir.resolve("linear-map.txt"), b.map().text());
        Files.writeString(dir.resolve("kernel-map.txt"), b.kernelMap().text(KERNEL_MAP_START, KERNEL_MAP_END));
        if (s.containsKey("vmallocinfo")) {
            Files.writeString(dir.resolve("vmallocinfo"), s.get("vmallocinfo"));
        }
        if (s.containsKey("kfence_objects")) {
            Files.writeString(dir.resolve("kfence-objects"), s.get("kfence_objects"));
        }
        Files.writeString(dir.resolve("decomposition"), b.map().decomposition().text());
        Regime r = b.regime();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kernel", spec.kernel());
        p.put("kernel.packages", String.join(",", kp.packages(s.containsKey("workload"))));
        p.put("kernel.uname_r", unameR);
        p.put("kernel.release", kp.release());
        p.put("kernel.flavour", kp.flavour());
        p.put("qemu.cpu", qemuCpu(spec.cpu()));
        p.put("qemu.smp", Integer.toString(spec.smp()));
        p.put("qemu.memory", spec.mem());
        p.put("qemu.version", b.qemuVersion());
        p.put("cmdline.extra", spec.cmdline().trim());
        p.put("workload", spec.workload());
        p.put("capture.trace", Boolean.toString(spec.trace()));
        p.put("initrd.bytes", Long.toString(initrdBytes));
        p.put("model.cpu", spec.modelCpu());
        p.put("regs.ttbr1_el1", hex(r.ttbr1));
        p.put("regs.tcr_el1", hex(r.tcr));
        p.put("regs.mair_el1", hex(r.mair));
        p.put("mmu.granule", r.granule.label);
        p.put("mmu.va_bits", Integer.toString(r.vaBits));
        p.put("mmu.lpa2", Boolean.toString(r.ds));
        p.put("mmu.levels", Integer.toString(r.geo.levels));
        if (!b.map().runs().isEmpty()) {
            p.put("linear.first_va", hex(b.map().runs().get(0).va()));
            p.put("linear.first_pa", hex(b.map().runs().get(0).pa()));
        }
        if (traceNote != null) {
            p.put("trace.entries", traceNote);
        }
        p.put("capture.date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("capture.seconds", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        StringBuilder pt = new StringBuilder("# ptlab oracle capture (docs/oracle.md)\n");
        for (Map.Entry<String, String> e : p.entrySet()) {
            pt.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        Files.writeString(dir.resolve("capture.properties"), pt.toString());
        // the build config, once per kernel, next to the captures
        Path cfgDir = out.resolve("kernels").resolve(unameR);
        if (!Files.exists(cfgDir.resolve("config"))) {
            Files.createDirectories(cfgDir);
            Path tmp = cfgDir.resolve(".config.tmp");
            Files.copy(config, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, cfgDir.resolve("config"), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The `# ptlab:` directives that map the trace's addresses (docs/traces.md). */
    static String traceHeader(Regime r) {
        return "# ptlab: va_bits=" + r.vaBits + "\n# ptlab: page_size=" + r.granule.pageSize() + "\n";
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    // ---------------------------------------------------------------- processes

    record Result(int code, String out, String err) {}

    static Result run(List<String> cmd, Path dir, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Path o = Files.createTempFile("ptlab-oracle-", ".out");
        Path e = Files.createTempFile("ptlab-oracle-", ".err");
        try {
            pb.redirectOutput(o.toFile()).redirectError(e.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + String.join(" ", cmd));
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + cmd.get(0));
            }
            return new Result(p.exitValue(), Files.readString(o, StandardCharsets.ISO_8859_1), Files.readString(e, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(o);
            Files.deleteIfExists(e);
        }
    }

    static String lastLine(String s) {
        return lastLines(s, 1);
    }

    static String lastLines(String s, int n) {
        String[] l = s.strip().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, l.length - n); i < l.length; i++) {
            b.append(i > Math.max(0, l.length - n) ? " | " : "").append(l[i].strip());
        }
        return b.toString();
    }

    static String firstLine(String s) {
        int i = s.indexOf('\n');
        return (i < 0 ? s : s.substring(0, i)).strip();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
