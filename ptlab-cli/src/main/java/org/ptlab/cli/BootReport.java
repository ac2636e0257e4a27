package org.ptlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ptlab.arch.MapSize;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.DirectMap;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MemoryLayout;

/** Kernel-shaped text and JSON for a booted kernel. */
final class BootReport {
    private BootReport() {}

    static String header(Kernel k) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(k.cfg.summary()).append('\n');
        b.append(String.format("# %s of RAM in %d range(s); force_pte_mapping()=%s, linear_map_requires_bbml2=%s%s%s%n",
                gib(k.mem.mappedBytes()), k.mem.mappedRanges().size(), yn(k.forcePteMapping), yn(k.linearMapRequiresBbml2),
                k.repaintedAtBoot ? ", repainted to PTEs at boot (a CPU lacks BBML2_NOABORT)" : "",
                k.kfencePool != 0 ? String.format(", early KFENCE pool at 0x%x", k.kfencePool) : ""));
        return b.toString();
    }

    static String meminfo(Kernel k) {
        StringBuilder b = new StringBuilder();
        for (String l : k.directMap.meminfoLines()) {
            b.append(l).append('\n');
        }
        return b.toString();
    }

    static String tables(Kernel k) {
        StringBuilder levels = new StringBuilder();
        for (int l = k.geo.startLevel + 1; l <= 3; l++) {
            if (levels.length() > 0) {
                levels.append(", ");
            }
            levels.append(k.geo.levelName(l)).append(' ').append(k.pg.pages(k.linearOwner, l));
        }
        return String.format("Linear map page tables: %d kB in %d pages (%s)%n", k.linearTableBytes() >> 10, k.linearTablePages(), levels);
    }

    static String gib(long bytes) {
        if ((bytes & ((1L << 30) - 1)) == 0) {
            return (bytes >> 30) + " GiB";
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    static String yn(boolean b) {
        return b ? "yes" : "no";
    }

    static Map<String, Object> json(Kernel k, List<Violation> violations) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("kernel", k.cfg.version.label);
        cfg.put("granule", k.geo.granule.label);
        cfg.put("vaBits", k.geo.vaBits);
        cfg.put("levels", k.geo.levels);
        cfg.put("rodata", k.cfg.rodata.label(k.cfg.version));
        cfg.put("debugPagealloc", k.cfg.debugPagealloc);
        cfg.put("kfence", k.cfg.kfence ? k.cfg.kfenceSampleInterval : null);
        cfg.put("realm", k.cfg.realm);
        cfg.put("kpti", k.cfg.kpti);
        cfg.put("cmdline", k.cfg.cmdline);
        cfg.put("cpus", k.cfg.cpus.stream().map(c -> Map.of("name", c.name(), "midr", String.format("0x%08x", c.midr()),
                "bbml2NoAbort", k.cfg.cpuHasBbml2(c))).toList());
        cfg.put("variants", k.cfg.variants);
        root.put("config", cfg);
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("mappedBytes", k.mem.mappedBytes());
        mem.put("ranges", k.mem.mappedRanges().stream().map(MemoryLayout.Range::toString).toList());
        mem.put("kernelImage", String.format("0x%x-0x%x", k.mem.stext(), k.mem.initBegin()));
        root.put("memory", mem);
        Map<String, Object> dec = new LinkedHashMap<>();
        dec.put("canSetDirectMap", k.canSetDirectMap);
        dec.put("forcePteMapping", k.forcePteMapping);
        dec.put("linearMapRequiresBbml2", k.linearMapRequiresBbml2);
        dec.put("systemBbml2NoAbort", k.systemBbml2);
        dec.put("repaintedAtBoot", k.repaintedAtBoot);
        dec.put("kfencePool", k.kfencePool == 0 ? null : String.format("0x%x", k.kfencePool));
        root.put("decisions", dec);
        Map<String, Object> dm = new LinkedHashMap<>();
        for (MapSize s : k.geo.mapSizes()) {
            dm.put(k.geo.directMapName(s), k.directMap.bytes(s) >> 10);
        }
        root.put("directMapKb", dm);
        Map<String, Object> pt = new LinkedHashMap<>();
        pt.put("kb", k.linearTableBytes() >> 10);
        pt.put("pages", k.linearTablePages());
        Map<String, Object> byLevel = new LinkedHashMap<>();
        for (int l = k.geo.startLevel + 1; l <= 3; l++) {
            byLevel.put(k.geo.levelName(l), k.pg.pages(k.linearOwner, l));
        }
        pt.put("byLevel", byLevel);
        root.put("linearMapPageTables", pt);
        root.put("violations", violations.stream().map(Violation::toString).toList());
        return root;
    }

    static String toJson(Object o) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two meminfo columns side by side with the differences. */
    static String sideBySide(Kernel a, String ta, Kernel b, String tb) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%-24s %22s %22s %14s%n", "", ta, tb, "difference"));
        for (MapSize m : a.geo.mapSizes()) {
            long x = a.directMap.bytes(m) >> 10;
            long y = b.directMap.bytes(m) >> 10;
            s.append(String.format("%-24s %19d kB %19d kB %+11d kB%n", a.geo.directMapName(m) + ":", x, y, y - x));
        }
        long x = a.linearTableBytes() >> 10;
        long y = b.linearTableBytes() >> 10;
        s.append(String.format("%-24s %19d kB %19d kB %+11d kB%n", "Linear map page tables:", x, y, y - x));
        return s.toString();
    }

    static String cpuNames(List<Cpu> cpus) {
        return String.join(",", cpus.stream().map(Cpu::name).toList());
    }

    static String line(String name, long kb) {
        return DirectMap.meminfoLine(name, kb);
    }
}
