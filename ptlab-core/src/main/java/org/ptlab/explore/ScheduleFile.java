package org.ptlab.explore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A counterexample schedule, replayable with {@code ptlab explore --replay FILE}: which scenario
 * (file path, or builtin:NAME), the variants and mutations it ran with, the violation found, and
 * the machine it booted (every setting, as a YAML flow mapping of {@code machine:} keys, laid
 * over the scenario's machine on replay; files written before it are read without), the CPU chosen
 * at each scheduling point in run-length form ({@code 0*53 1*50 0}); points past the end keep
 * running the current CPU.
 *
 * <pre>
 * # ptlab explore counterexample
 * scenario: scenarios/concurrency/seed000-split-race.yaml
 * variants: lazy=generic
 * machine: {mem: "4M", granule: "4K", cpus: "2", bbml2: "noabort", debug-pagealloc: "true", memory-block-size: "2M"}
 * mutations: no-split-lock
 * violation: counters: DirectMap4K counter 64 kB != walk 128 kB (-64 kB)
 * schedule: 0*53 1*50 0
 * </pre>
 */
public record ScheduleFile(String scenario, List<String> variants, Map<String, String> machine, Set<Mutation> mutations, String violation,
        int[] schedule) {

    public ScheduleFile {
        variants = List.copyOf(variants);
        machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        mutations = Set.copyOf(mutations);
    }

    /** Without a machine line (the scenario's own machine on replay). */
    public ScheduleFile(String scenario, List<String> variants, Set<Mutation> mutations, String violation, int[] schedule) {
        this(scenario, variants, Map.of(), mutations, violation, schedule);
    }

    /** The recorded machine settings as a description to lay over the scenario's ({@link org.ptlab.kernel.MachineSpec#overlay}). */
    public org.ptlab.kernel.MachineSpec machineSpec() {
        org.ptlab.kernel.MachineSpec m = new org.ptlab.kernel.MachineSpec();
        machine.forEach(m::set);
        return m;
    }

    public String format() {
        StringBuilder b = new StringBuilder("# ptlab explore counterexample; replay: ptlab explore --replay FILE\n");
        b.append("scenario: ").append(scenario).append('\n');
        b.append("variants: ").append(String.join(",", variants)).append('\n');
        if (!machine.isEmpty()) {
            List<String> kv = new ArrayList<>();
            machine.forEach((k, v) -> kv.add(k + ": \"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace('\n', ' ') + "\""));
            b.append("machine: {").append(String.join(", ", kv)).append("}\n");
        }
        b.append("mutations: ").append(String.join(",", mutations.stream().map(Mutation::label).sorted().toList())).append('\n');
        b.append("violation: ").append(violation == null ? "" : violation.replace('\n', ' ')).append('\n');
        b.append("schedule: ").append(encode(schedule)).append('\n');
        return b.toString();
    }

    /** Write atomically (temp file + rename). */
    public void write(Path file) throws IOException {
        String text = format();
        org.ptlab.io.OutputFiles.write(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static ScheduleFile read(Path file) throws IOException {
        return parse(org.ptlab.io.InputFile.readText(file, org.ptlab.io.InputFile.Kind.SCHEDULE), file.toString());
    }

    public static ScheduleFile parse(String text, String where) {
        String scenario = null;
        List<String> variants = new ArrayList<>();
        Set<Mutation> muts = new java.util.HashSet<>();
        Map<String, String> machine = new LinkedHashMap<>();
        String violation = null;
        int[] schedule = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(where + ":" + (i + 1) + ": expected 'key: value' (scenario, variants, mutations, violation, schedule)");
            }
            String key = l.substring(0, colon).trim();
            String val = l.substring(colon + 1).trim();
            try {
                switch (key) {
                    case "scenario" -> {
                        if (val.isEmpty()) {
                            throw new IllegalArgumentException("scenario: expected a file path or builtin:NAME");
                        }
                        scenario = val;
                    }
                    case "variants" -> {
                        for (String v : val.split(",")) {
                            if (!v.isBlank()) {
                                variants.add(v.trim());
                            }
                        }
                    }
                    case "mutations" -> {
                        for (String v : val.split(",")) {
                            if (!v.isBlank()) {
                                muts.add(Mutation.parse(v));
                            }
                        }
                    }
                    case "machine" -> {
                        org.ptlab.yaml.YNode n;
                        try {
                            n = org.ptlab.yaml.YNode.parse(val, where);
                        } catch (org.ptlab.yaml.ScenarioError e) {
                            throw new IllegalArgumentException("machine: expected a mapping {key: \"value\", ...}");
                        }
                        if (!n.isMap()) {
                            throw new IllegalArgumentException("machine: expected a mapping {key: \"value\", ...}");
                        }
                        org.ptlab.kernel.MachineSpec check = new org.ptlab.kernel.MachineSpec();
                        for (Map.Entry<String, org.ptlab.yaml.YNode> e : n.map("machine").entrySet()) {
                            if (!e.getValue().isScalar()) {
                                throw new IllegalArgumentException("machine: " + e.getKey() + ": expected a value");
                            }
                            String v = e.getValue().str(e.getKey());
                            check.set(e.getKey(), v); // a known key with a value of its kind
                            machine.put(e.getKey(), v);
                        }
                    }
                    case "violation" -> violation = val;
                    case "schedule" -> schedule = decode(val);
                    default -> throw new IllegalArgumentException("unknown key '" + key
                            + "': expected scenario, variants, machine, mutations, violation or schedule");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        if (scenario == null) {
            throw new IllegalArgumentException(where + ": missing 'scenario:' line");
        }
        if (schedule == null) {
            throw new IllegalArgumentException(where + ": missing 'schedule:' line");
        }
        return new ScheduleFile(scenario, variants, machine, muts, violation, schedule);
    }

    /** Run-length: "0*3 1 0*2" for 0 0 0 1 0 0. */
    public static String encode(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length;) {
            int j = i;
            while (j < s.length && s[j] == s[i]) {
                j++;
            }
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(s[i]);
            if (j - i > 1) {
                b.append('*').append(j - i);
            }
            i = j;
        }
        return b.toString();
    }

    public static int[] decode(String s) {
        int[] out = new int[16];
        int n = 0;
        for (String tok : s.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            int star = tok.indexOf('*');
            int cpu;
            long count = 1;
            try {
                cpu = Integer.parseInt(star < 0 ? tok : tok.substring(0, star));
                if (star >= 0) {
                    count = Long.parseLong(tok.substring(star + 1));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("schedule: bad entry '" + tok + "': expected CPU or CPU*COUNT");
            }
            if (cpu < 0 || cpu > 7 || count < 1 || n + count > 10_000_000) {
                throw new IllegalArgumentException("schedule: bad entry '" + tok + "': CPU 0..7, COUNT >= 1, at most 10,000,000 points");
            }
            while (n + count > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            Arrays.fill(out, n, n + (int) count, cpu);
            n += (int) count;
        }
        return Arrays.copyOf(out, n);
    }
}
