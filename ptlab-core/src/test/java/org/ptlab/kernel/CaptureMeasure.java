package org.ptlab.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.MapSize;

/**
 * A measuring aid, not a check: with -Dptlab.captures=DIR, boots every capture folder under DIR
 * (written by `ptlab oracle capture`) from its own inputs and prints, per capture, the real and the
 * modelled decomposition (pieces per size). Without the property it does nothing.
 */
class CaptureMeasure {

    @Test
    void measure() throws IOException {
        String dir = System.getProperty("ptlab.captures");
        if (dir == null) {
            return;
        }
        int same = 0;
        int all = 0;
        try (Stream<Path> s = Files.list(Path.of(dir)).sorted()) {
            for (Path c : (Iterable<Path>) s::iterator) {
                if (!Files.exists(c.resolve("capture.properties")) || !Files.exists(c.resolve("decomposition"))) {
                    continue;
                }
                all++;
                String line = one(c);
                if (line.startsWith("SAME")) {
                    same++;
                }
                System.out.println(line);
            }
        }
        System.out.println(same + " of " + all + " captures reproduced (decomposition)");
    }

    static String one(Path c) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(c.resolve("capture.properties"))) {
            p.load(r);
        }
        MachineSpec m = new MachineSpec();
        m.kernel = p.getProperty("kernel.release");
        Path cfg = c.getParent().resolve("kernels").resolve(p.getProperty("kernel.uname_r", "?")).resolve("config");
        if (Files.exists(cfg)) {
            m.kernelConfig = cfg.toString();
        }
        m.iomem = c.resolve("iomem").toString();
        m.cmdline = Files.readString(c.resolve("cmdline"), StandardCharsets.UTF_8).trim();
        String q = p.getProperty("qemu.cpu", "max");
        Matcher midr = Pattern.compile("midr=(0x[0-9a-fA-F]+)").matcher(q);
        String base = q.split(",")[0];
        m.cpu = base.equals("max") && midr.find() ? "max:midr=" + midr.group(1) : base;
        m.vaBits = Integer.parseInt(p.getProperty("mmu.va_bits", "48"));
        m.granule = p.getProperty("mmu.granule", "4K");
        int smp = Integer.parseInt(p.getProperty("qemu.smp", "1"));
        StringBuilder cpus = new StringBuilder(m.cpu);
        for (int i = 1; i < smp; i++) {
            cpus.append(',').append(m.cpu);
        }
        m.cpu = cpus.toString();
        String dec = Files.readString(c.resolve("decomposition"));
        long[] real = new long[5];
        boolean g16 = "16K".equals(m.granule);
        boolean g64 = "64K".equals(m.granule);
        // sizes of PUD, CONT_PMD, PMD, CONT_PTE, PTE per granule (no PUD blocks off 4K)
        String[] keys = g16 ? new String[] {"-", "1G", "32M", "2M", "16K"} : g64 ? new String[] {"-", "16G", "512M", "2M", "64K"}
                : new String[] {"1G", "32M", "2M", "64K", "4K"};
        for (int i = 0; i < 5; i++) {
            Matcher x = Pattern.compile("LINEAR_" + keys[i] + " (\\d+) pieces").matcher(dec);
            real[i] = x.find() ? Long.parseLong(x.group(1)) : 0;
        }
        String name = c.getFileName().toString();
        try {
            MachineSpec.Built b = m.build();
            Kernel k = Kernel.boot(b.cfg(), b.mem());
            long[] model = new long[5];
            countValid(k, k.geo.startLevel, k.swapper, -(1L << k.geo.vaBits), model);
            model[1] /= k.geo.contPmds; // pieces: one per contiguous group
            model[3] /= k.geo.contPtes;
            boolean eq = java.util.Arrays.equals(real, model);
            return (eq ? "SAME " : "DIFF ") + name + " real " + java.util.Arrays.toString(real) + " model " + java.util.Arrays.toString(model)
                    + " tables " + k.pg.pages(k.linearOwner, 0) + "/" + k.pg.pages(k.linearOwner, 1) + "/" + k.pg.pages(k.linearOwner, 2)
                    + "/" + k.pg.pages(k.linearOwner, 3) + " pool 0x" + Long.toHexString(k.kfencePool) + " " + b.warnings();
        } catch (RuntimeException e) {
            return "FAIL " + name + ": " + e;
        }
    }

    /** Valid leaves of the linear map by kind (PUD, CONT_PMD, PMD, CONT_PTE, PTE), as the capture counts them. */
    private static void countValid(Kernel k, int level, long table, long base, long[] out) {
        var g = k.geo;
        long size = g.entrySize(level);
        for (int i = 0; i < g.entries(level); i++) {
            long va = base + i * size;
            if (Long.compareUnsigned(va, g.pageEnd) >= 0 || Long.compareUnsigned(va + size - 1, g.pageOffset) < 0) {
                continue;
            }
            long d = k.pg.read(table, i);
            if (d == 0) {
                continue;
            }
            if (level < 3 && org.ptlab.arch.Desc.isTable(d)) {
                countValid(k, level + 1, org.ptlab.pgtable.Pgtable.tablePa(d), va, out);
                continue;
            }
            if (!org.ptlab.arch.Desc.valid(d)) {
                continue;
            }
            boolean cont = org.ptlab.arch.Desc.cont(d);
            int kind = level == 1 ? 0 : level == 2 ? (cont ? 1 : 2) : (cont ? 3 : 4);
            out[kind]++;
        }
    }
}
