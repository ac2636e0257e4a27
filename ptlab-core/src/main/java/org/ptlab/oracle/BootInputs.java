package org.ptlab.oracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Geometry;

/**
 * What a capture records so that a check can make the calls the real kernel made before the
 * capture's kprobes existed (docs/oracle.md): the guest's {@code /proc/vmallocinfo} (caller and
 * pages per area), the TTBR1 leaves above the linear map ({@code kernel-map.txt}, walked by ptlab's
 * own decoding: the physical page behind each vmalloc page), the KFENCE objects' state
 * ({@code kfence-objects}, debugfs) and the image symbols ({@code symbols}, /proc/kallsyms). These
 * are inputs, not the answer: the linear map is still predicted by the model. Every file is
 * optional (older captures have none); a corrupt one is one error naming file:line.
 */
public record BootInputs(List<Area> vmalloc, LinearMap kernelMap, Map<Long, KfenceState> kfence, Map<String, Long> symbols) {

    /** One /proc/vmallocinfo line: [start, end) (with the guard page), its caller and pages=N. */
    public record Area(long start, long end, String caller, int pages) {}

    /** A KFENCE object's state as debugfs kfence/objects prints it (mm/kfence/report.c kfence_print_object()). */
    public enum KfenceState { UNUSED, ALLOCATED, FREED }

    /** The optional inputs of a capture folder. */
    static BootInputs load(Path dir, Geometry geo) {
        Path vi = dir.resolve("vmallocinfo");
        Path km = dir.resolve("kernel-map.txt");
        Path ko = dir.resolve("kfence-objects");
        Path sy = dir.resolve("symbols");
        List<Area> areas = Files.exists(vi) ? parseVmallocinfo(Capture.read(vi), vi.toString()) : null;
        LinearMap kmap = Files.exists(km) ? LinearMap.parse(Capture.read(km), km.toString(), geo) : null;
        Map<Long, KfenceState> kf = Files.exists(ko) ? parseKfence(Capture.read(ko), ko.toString()) : null;
        Map<String, Long> syms = Files.exists(sy) ? parseSymbols(Capture.read(sy), sy.toString()) : Map.of();
        return new BootInputs(areas, kmap, kf, syms);
    }

    /** /proc/vmallocinfo (mm/vmalloc.c vmalloc_info_show()): "0xSTART-0xEND SIZE CALLER [pages=N] ...". */
    public static List<Area> parseVmallocinfo(String text, String file) {
        List<Area> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] t = s.split("\\s+");
            int dash = t[0].indexOf('-');
            if (t.length < 3 || dash < 0) {
                throw new IllegalArgumentException(where + "expected '0xSTART-0xEND SIZE CALLER ...', found '" + LinearMap.clip(s) + "'");
            }
            long start = hex(t[0].substring(0, dash), where);
            long end = hex(t[0].substring(dash + 1), where);
            long size;
            try {
                size = Long.parseLong(t[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "expected a size in bytes, found '" + LinearMap.clip(t[1]) + "'");
            }
            if (Long.compareUnsigned(end, start) <= 0 || end - start != size) {
                throw new IllegalArgumentException(where + "the range and its size " + size + " do not agree");
            }
            int pages = 0;
            for (int k = 3; k < t.length; k++) {
                if (t[k].startsWith("pages=")) {
                    try {
                        pages = Integer.parseInt(t[k].substring(6));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + "expected pages=N, found '" + LinearMap.clip(t[k]) + "'");
                    }
                }
            }
            out.add(new Area(start, end, t[2], pages));
        }
        return out;
    }

    /**
     * kfence-objects: per object "kfence-#N unused", or "kfence-#N: 0xSTART-0xLAST, size=S, cache=C"
     * followed by "allocated by task ..." and, once freed, "freed by task ..." ("rcu freeing by task":
     * freed through RCU, not protected yet). The used objects by start address (a linear VA; printed
     * unhashed under no_hash_pointers) with their state.
     */
    public static Map<Long, KfenceState> parseKfence(String text, String file) {
        Map<Long, KfenceState> out = new LinkedHashMap<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        Long cur = null;
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            if (s.startsWith("kfence-#")) {
                int e = 8;
                while (e < s.length() && Character.isDigit(s.charAt(e))) {
                    e++;
                }
                if (e == 8 || e > 14) {
                    throw new IllegalArgumentException(where + "expected 'kfence-#N...', found '" + LinearMap.clip(s) + "'");
                }
                if (!seen.add(Integer.parseInt(s.substring(8, e)))) {
                    throw new IllegalArgumentException(where + "object " + s.substring(7, e) + " listed twice");
                }
                String rest = s.substring(e).strip();
                if (rest.equals("unused")) {
                    cur = null;
                    continue;
                }
                int dash = rest.indexOf('-');
                if (!rest.startsWith(": 0x") || dash < 0) {
                    throw new IllegalArgumentException(where + "expected 'kfence-#N: 0xSTART-0xLAST, size=...' or 'kfence-#N unused', found '"
                            + LinearMap.clip(s) + "'");
                }
                cur = hex(rest.substring(2, dash), where);
                if (out.put(cur, KfenceState.ALLOCATED) != null) {
                    throw new IllegalArgumentException(where + "two objects at 0x" + Long.toHexString(cur));
                }
            } else if (s.startsWith("allocated by task") || s.startsWith("rcu freeing by task")) {
                if (cur == null) {
                    throw new IllegalArgumentException(where + "'" + s.substring(0, s.indexOf(" by")) + " by' without a used object before it");
                }
            } else if (s.startsWith("freed by task")) {
                if (cur == null) {
                    throw new IllegalArgumentException(where + "'freed by' without a used object before it");
                }
                out.put(cur, KfenceState.FREED);
            } else {
                throw new IllegalArgumentException(where + "expected 'kfence-#N', 'allocated by task' or 'freed by task', found '"
                        + LinearMap.clip(s) + "'");
            }
        }
        return out;
    }

    /** /proc/kallsyms lines "ADDR TYPE NAME" (the ones the capture keeps); the first address per name. */
    public static Map<String, Long> parseSymbols(String text, String file) {
        Map<String, Long> out = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] t = s.split("\\s+");
            if (t.length < 3 || t[1].length() != 1) {
                throw new IllegalArgumentException(where + "expected 'ADDRESS TYPE NAME', found '" + LinearMap.clip(s) + "'");
            }
            out.putIfAbsent(t[2], hex(t[0].startsWith("0x") ? t[0] : "0x" + t[0], where));
        }
        return out;
    }

    private static long hex(String s, String where) {
        try {
            if (!s.startsWith("0x") || s.length() < 3 || s.length() > 18) {
                throw new NumberFormatException();
            }
            return Long.parseUnsignedLong(s.substring(2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "expected a hex address 0x..., found '" + LinearMap.clip(s) + "'");
        }
    }

    /**
     * The physical pages behind the first vmalloc area of one of those callers with that many pages (the
     * order of /proc/vmallocinfo: by address), read from kernel-map.txt; null when the capture does
     * not record them (no such area, or a page not mapped).
     */
    public long[] pagesOf(List<String> callers, int pages, long pageSize) {
        if (vmalloc == null || kernelMap == null) {
            return null;
        }
        for (Area a : vmalloc) {
            String fn = a.caller().contains("+") ? a.caller().substring(0, a.caller().indexOf('+')) : a.caller();
            if (a.pages() == pages && callers.contains(fn)) {
                return physical(a.start(), pages, pageSize);
            }
        }
        return null;
    }

    /** The physical address of each of n pages from va on, through kernel-map.txt; null if one is not mapped. */
    long[] physical(long va, int n, long pageSize) {
        List<LinearMap.Run> runs = kernelMap.runs();
        long[] out = new long[n];
        int j = 0;
        for (int i = 0; i < n; i++) {
            long v = va + i * pageSize;
            while (j < runs.size() && Long.compareUnsigned(runs.get(j).end(), v) <= 0) {
                j++;
            }
            if (j == runs.size() || Long.compareUnsigned(runs.get(j).va(), v) > 0 || (runs.get(j).attrs() & LinearMap.INVALID) != 0) {
                return null;
            }
            out[i] = runs.get(j).pa() + (v - runs.get(j).va());
        }
        return out;
    }
}
