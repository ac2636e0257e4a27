package org.ptlab.explore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.ptlab.arch.Granule;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.kernel.Variants;
import org.ptlab.ops.Op;
import org.ptlab.ops.Ops;
import org.ptlab.ops.Param;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.yaml.YNode;

/**
 * The explorer's scenario file, read by the one YAML reader of every scenario ({@link YNode}:
 * errors name file, line and column). The same language as {@code ptlab run}'s scenarios, with
 * {@code cpus:} and {@code expect:} (shipped examples under scenarios/concurrency/):
 *
 * <pre>
 * name: seed000-split-race
 * description: two concurrent splits update the shared DirectMap counters
 * machine: {granule: 4K, mem: 4M, bbml2: noabort, debug-pagealloc: false, kernel: "7.2", hw: none}
 * variants: [lazy=generic]
 * mutations: []                  # see Mutation
 * expect: safe                   # safe | violation
 * setup:                         # run before the CPUs start, not scheduled
 *   - set_memory_valid: {addr: lm+0x5000, pages: 1, enable: false}
 * cpus:
 *   - - split_kernel_leaf_mapping: {start: lm+0x1000, end: lm+0x2000}
 *   - - split_kernel_leaf_mapping: {start: lm+0x201000, end: lm+0x202000}
 * </pre>
 *
 * A step is one {@code call: arguments} entry: a call of the {@link Ops} catalogue (the same name
 * and meaning as everywhere) or one of the explorer's own operations ({@link #LOCAL}: lazy MMU
 * sections, single PTE writes, accesses through the walker, scenario mutexes); the arguments are
 * a mapping by parameter name, one value, or the positional arguments in one string. Addresses:
 * {@code lm} (the first linear-map VA) plus offsets ({@code lm+2M+0x1000}), or an absolute VA in
 * hex; a physical address may be written as the linear address it is mapped at.
 *
 * <p>The older spelling ({@code cpu0:}/{@code cpu1:} keys, operations as strings
 * {@code "split_kernel_leaf_mapping lm+0x1000 lm+0x2000"}, {@code machine: {memory, version,
 * debug_pagealloc, bbml2: true|false}}) is still read, for one release, with a deprecation line;
 * in it {@code set_memory_ro ADDR [PAGES]} and {@code change_memory_common ADDR PAGES ro|rw} keep
 * their older meaning, the kernel's {@code __change_memory_common} (now spelled so), and
 * {@code set_memory_invalid ADDR [PAGES]} is {@code set_memory_valid} with enable false.
 */
public final class ScenarioFile {
    private ScenarioFile() {}

    /** The explorer's own operations (not kernel calls of the catalogue): parameters and description. */
    static final Map<String, Local> LOCAL = new LinkedHashMap<>();

    /** An explorer-only operation: its parameters (ADDR, PAGES or a NAME) and what it does. */
    record Local(List<Param> params, String help) {}

    private static void local(String name, String help, Param... params) {
        LOCAL.put(name, new Local(List.of(params), help));
    }

    static {
        local("lazy_mmu_mode_enable", "enter a lazy MMU section");
        local("lazy_mmu_mode_disable", "leave a lazy MMU section");
        local("lazy_mmu_mode_pause", "pause lazy MMU mode");
        local("lazy_mmu_mode_resume", "resume lazy MMU mode");
        local("ptep_set_rdonly", "make a PTE-mapped linear page read-only (__set_pte, barriers queued)", Param.req("addr", Param.Type.ADDR));
        local("set_pte_valid", "one __set_pte making a PTE-mapped linear page valid (barriers queued; no section of its own)",
                Param.req("addr", Param.Type.ADDR));
        local("__kernel_map_pages", "DEBUG_PAGEALLOC map on allocation (set_memory_valid)", Param.req("addr", Param.Type.ADDR),
                Param.opt("pages", Param.Type.PAGES, 1));
        local("mutex_lock", "take a scenario-level mutex NAME (e.g. an execmem lock: exclusion from above)", Param.req("name", Param.Type.SIZE));
        local("mutex_unlock", "release it", Param.req("name", Param.Type.SIZE));
        local("clear_page", "access the page through the walker (hazard if its mapping is not yet visible)", Param.req("addr", Param.Type.ADDR));
        local("touch", "a load through the walker (and the TLBs with machine hw)", Param.req("addr", Param.Type.ADDR));
        local("store", "a store through the walker (and the TLBs with machine hw)", Param.req("addr", Param.Type.ADDR));
    }

    /** Catalogue calls a CPU program may make (the rest need objects the explorer's machines do not have). */
    static final Set<String> CALLS = new TreeSet<>(List.of("split_kernel_leaf_mapping", "__change_memory_common", "set_memory_ro",
            "set_memory_rw", "set_memory_x", "set_memory_nx", "set_memory_valid", "try_collapse_kernel_pmd", "collapse_scan", "add_memory",
            "set_direct_map_invalid_noflush", "set_direct_map_default_noflush"));

    /** The explorer's bookkeeping around a catalogue call (arguments as the catalogue declares them). */
    @FunctionalInterface
    interface Around {
        void call(World w, long a0, long a1, long a2);
    }

    /**
     * Two calls keep World's bookkeeping around the catalogue's call, for what the explorer checks
     * and the catalogue cannot carry: __change_memory_common (a completed read-only change is a
     * promise checked when every CPU has finished) and add_memory (a failure is a modelled BUG).
     * Every other call, split_kernel_leaf_mapping and set_memory_valid included, is the catalogue's
     * own (the split mutants are kernel variants now, and the lazy-MMU-aware set_memory_valid is
     * PageAttr's).
     */
    static final Map<String, Around> AROUND = Map.of(
            "__change_memory_common", (w, va, pages, prot) -> w.kernelChangeMemory(va, (int) pages, prot == Param.RO),
            "add_memory", (w, pa, size, x) -> w.addMemory(w.k.physToVirt(pa), size));

    /** The older spelling's names: old name -> the call it is now. */
    static final Map<String, String> OLD_NAMES = Map.of("change_memory_common", "__change_memory_common", "set_memory_ro",
            "__change_memory_common", "set_memory_invalid", "set_memory_valid", "kernel_try_collapse_kernel_pmd", "try_collapse_kernel_pmd");

    /** Older names whose pages were optional and whose last argument is now explicit. */
    static final Map<String, String> OLD_LAST_ARG = Map.of("set_memory_ro", "ro", "set_memory_invalid", "false", "set_memory_valid", "true");

    /** Every operation a scenario may use -> "ARGS: description" (for listings). */
    public static final Map<String, String> OPS = new LinkedHashMap<>();

    static {
        for (String c : CALLS) {
            Op op = Ops.catalogue().require(c);
            OPS.put(c, op.usage().substring(c.length()).trim() + ": " + op.help());
        }
        LOCAL.forEach((k, v) -> OPS.put(k, labels(v.params()) + ": " + v.help()));
    }

    private static String labels(List<Param> ps) {
        List<String> l = new ArrayList<>();
        for (Param p : ps) {
            l.add(p.label());
        }
        return String.join(" ", l);
    }

    public static ExploreScenario load(Path file) throws IOException {
        // the one input layer: size cap, strict UTF-8 with line:column, no such file / directory / empty
        return parse(org.ptlab.io.InputFile.readText(file, org.ptlab.io.InputFile.Kind.EXPLORE_SCENARIO), file.toString());
    }

    /**
     * A shipped scenario by name ({@code builtin:NAME}): the file scenarios/concurrency/NAME.yaml,
     * packaged on the class path.
     */
    public static ExploreScenario builtin(String name) {
        java.io.InputStream in = name.matches("[A-Za-z0-9_.-]+") ? ScenarioFile.class.getResourceAsStream("builtin/" + name + ".yaml") : null;
        if (in == null) {
            throw new IllegalArgumentException("unknown built-in scenario '" + name + "': expected one of " + builtinNames());
        }
        try (in) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "builtin:" + name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The names of the shipped scenarios ({@code builtin:NAME}), sorted. */
    public static List<String> builtinNames() {
        List<String> out = new ArrayList<>();
        try {
            java.net.URL u = ScenarioFile.class.getResource("builtin");
            if (u == null) {
                return out;
            }
            java.net.URI uri = u.toURI();
            if (uri.getScheme().equals("jar")) {
                try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(uri, Map.of());
                        java.util.stream.Stream<Path> s = Files.list(fs.provider().getPath(uri))) {
                    s.forEach(p -> out.add(p.getFileName().toString()));
                }
            } else {
                try (java.util.stream.Stream<Path> s = Files.list(Path.of(uri))) {
                    s.forEach(p -> out.add(p.getFileName().toString()));
                }
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return out;
        }
        out.removeIf(n -> !n.endsWith(".yaml"));
        out.replaceAll(n -> n.substring(0, n.length() - ".yaml".length()));
        out.sort(null);
        return out;
    }

    /** Parse a scenario document; {@code where} names it in errors. Deprecation lines go to standard error. */
    public static ExploreScenario parse(String text, String where) {
        return parse(text, where, System.err::println);
    }

    /** As {@link #parse(String, String)}, deprecation lines to warn. */
    public static ExploreScenario parse(String text, String where, Consumer<String> warn) {
        YNode root = YNode.parse(text, where);
        if (root.kind == YNode.Kind.NULL) {
            throw new ScenarioError(where, 1, 1, "empty scenario file: expected a mapping with name, machine and cpus");
        }
        Parser p = new Parser(where);
        ExploreScenario sc = p.scenario(root);
        if (!p.old.isEmpty()) {
            warn.accept(where + ": deprecated explorer spelling (" + String.join(", ", p.old)
                    + "): read for one release; see docs/explore.md for the scenario language");
        }
        return sc;
    }

    private static final class Parser {
        final String where;
        /** Older-spelling constructs met (for the deprecation line). */
        final Set<String> old = new java.util.LinkedHashSet<>();
        /** The file is in the older spelling (cpuN: keys). */
        boolean oldFile;
        /** lm-relative addresses the operations use, checked against the machine's RAM once it is known. */
        final List<Use> uses = new ArrayList<>();

        /** An address an operation uses, with the pages from it (0: the address alone; end: may equal the end of RAM). */
        record Use(YNode at, String call, Addr a, long pages, boolean end) {}

        /** Every lm-relative address must lie in the modelled RAM: an address outside it is bad input, not a violation. */
        void checkUses(long pageSize, long memory) {
            for (Use u : uses) {
                long off = u.a().value();
                long len = u.pages() * pageSize;
                boolean in = u.end() ? off >= 0 && off <= memory : off >= 0 && off < memory && len <= memory - off;
                if (!in) {
                    throw u.at().error(String.format("%s: lm+0x%x%s is outside the modelled RAM [lm, lm+%s): expected an address in it",
                            u.call(), off, u.pages() > 0 ? " (" + u.pages() + " pages from it)" : "", Sizes.label(memory)));
                }
            }
        }

        Parser(String where) {
            this.where = where;
        }

        ExploreScenario scenario(YNode root) {
            Map<String, YNode> m = root.map("the scenario");
            oldFile = m.keySet().stream().anyMatch(k -> k.matches("cpu[0-9]"));
            String name = null;
            String description = "";
            Granule granule = Granule.G4K;
            long memory = 4L << 20;
            ExploreMachine.Bbml2 bbml2 = ExploreMachine.Bbml2.ALL;
            boolean dpa = false;
            KernelVersion version = KernelVersion.NEWEST;
            String hw = null;
            List<String> variants = new ArrayList<>();
            Set<Mutation> muts = EnumSet.noneOf(Mutation.class);
            ExploreScenario.Expect expect = ExploreScenario.Expect.UNSPECIFIED;
            List<ExploreScenario.Op> setup = new ArrayList<>();
            Map<Integer, List<ExploreScenario.Op>> cpus = new java.util.TreeMap<>();
            Map<Integer, YNode> cpuNodes = new java.util.TreeMap<>();
            YNode cpusList = null;
            for (Map.Entry<String, YNode> t : m.entrySet()) {
                String key = t.getKey();
                YNode v = t.getValue();
                YNode kn = root.keyNode(key);
                switch (key) {
                    case "name" -> name = v.str("name").trim();
                    case "description" -> description = v.str("description").trim();
                    case "machine" -> {
                        for (Map.Entry<String, YNode> mt : v.map("machine").entrySet()) {
                            String mk = mt.getKey();
                            YNode mv = mt.getValue();
                            try {
                                switch (mk) {
                                    case "granule" -> granule = Granule.parse(mv.str("granule").trim());
                                    case "mem", "memory" -> {
                                        if (mk.equals("memory")) {
                                            old.add("machine.memory (now mem)");
                                        }
                                        memory = Sizes.parse(mv.str(mk));
                                    }
                                    case "bbml2" -> {
                                        String b = mv.str("bbml2").trim().toLowerCase(Locale.ROOT);
                                        bbml2 = switch (b) {
                                            case "noabort" -> ExploreMachine.Bbml2.ALL;
                                            case "none" -> ExploreMachine.Bbml2.NONE;
                                            case "true", "yes", "on" -> {
                                                old.add("bbml2: " + b + " (now noabort)");
                                                yield ExploreMachine.Bbml2.ALL;
                                            }
                                            case "false", "no", "off" -> {
                                                old.add("bbml2: " + b + " (now none)");
                                                yield ExploreMachine.Bbml2.NONE;
                                            }
                                            case "boot-cpu" -> ExploreMachine.Bbml2.BOOT_CPU; // CPU0 only
                                            default -> throw mv.error("bbml2: expected noabort, none or boot-cpu (older: true, false), got '"
                                                    + b + "'");
                                        };
                                    }
                                    case "debug-pagealloc", "debug_pagealloc" -> {
                                        if (mk.equals("debug_pagealloc")) {
                                            old.add("machine.debug_pagealloc (now debug-pagealloc)");
                                        }
                                        dpa = mv.bool(mk);
                                    }
                                    case "kernel", "version" -> {
                                        if (mk.equals("version")) {
                                            old.add("machine.version (now kernel)");
                                        }
                                        version = KernelVersion.parse(mv.str(mk).trim());
                                    }
                                    case "hw" -> {
                                        String h = mv.str("hw").trim();
                                        if (!h.equals("none")) {
                                            org.ptlab.hw.Presets.get(h);
                                            hw = h;
                                        }
                                    }
                                    default -> throw v.keyNode(mk).error("unknown machine key '" + mk
                                            + "': the explorer's machines take granule, mem, bbml2, debug-pagealloc, kernel and hw");
                                }
                            } catch (ScenarioError e) {
                                throw e;
                            } catch (IllegalArgumentException e) {
                                throw mv.error("machine." + mk + ": " + e.getMessage());
                            }
                        }
                    }
                    case "variants" -> {
                        for (YNode x : v.isScalar() ? List.of(v) : v.seq("variants")) {
                            for (String one : x.str("a variant").split(",")) {
                                String s = one.trim();
                                try {
                                    Variants.none().with(s);
                                } catch (IllegalArgumentException e) {
                                    throw x.error(e.getMessage());
                                }
                                variants.add(s);
                            }
                        }
                    }
                    case "mutations" -> {
                        for (YNode x : v.isScalar() ? List.of(v) : v.seq("mutations")) {
                            try {
                                muts.add(Mutation.parse(x.str("a mutation")));
                            } catch (IllegalArgumentException e) {
                                throw x.error(e.getMessage());
                            }
                        }
                    }
                    case "expect" -> {
                        String e = v.str("expect").trim();
                        expect = switch (e) {
                            case "safe" -> ExploreScenario.Expect.SAFE;
                            case "violation" -> ExploreScenario.Expect.VIOLATION;
                            default -> throw v.error("expect: expected safe or violation, got '" + e + "'");
                        };
                    }
                    case "setup" -> setup.addAll(ops(v, "setup"));
                    case "cpus" -> {
                        cpusList = kn;
                        int c = 0;
                        for (YNode prog : v.seq("cpus")) {
                            if (c >= 8) {
                                throw prog.error("at most 8 CPUs");
                            }
                            cpus.put(c, ops(prog, "cpus[" + c + "]"));
                            cpuNodes.put(c, prog);
                            c++;
                        }
                    }
                    default -> {
                        if (key.matches("cpu[0-9]")) {
                            old.add("cpuN: keys (now cpus:)");
                            int c = key.charAt(3) - '0';
                            cpus.put(c, ops(v, key));
                            cpuNodes.put(c, kn);
                        } else {
                            throw kn.error("unknown key '" + key
                                    + "': expected name, description, machine, variants, mutations, expect, setup or cpus");
                        }
                    }
                }
            }
            if (cpusList != null && old.contains("cpuN: keys (now cpus:)")) {
                throw cpusList.error("cpus: and cpuN: keys together: use cpus: only");
            }
            if (name == null || name.isEmpty()) {
                throw root.error("missing 'name'");
            }
            if (cpus.isEmpty()) {
                throw root.error("no CPU programs: expected cpus: (a list of programs, one per CPU)");
            }
            int n = cpus.size();
            for (int c : cpus.keySet()) {
                if (c >= n) {
                    throw cpuNodes.get(c).error("cpu" + c + " without cpu" + (c - 1) + ": expected cpu0..cpu" + (n - 1));
                }
            }
            ExploreMachine spec;
            try {
                spec = new ExploreMachine(granule, memory, n, bbml2, dpa, version, variants, hw);
                spec.layout().validate(granule.pageSize());
            } catch (IllegalArgumentException e) {
                throw root.error("machine: " + e.getMessage());
            }
            checkUses(granule.pageSize(), memory);
            return new ExploreScenario(name, description, spec, setup, new ArrayList<>(cpus.values()), muts, expect, where);
        }

        List<ExploreScenario.Op> ops(YNode v, String what) {
            List<ExploreScenario.Op> out = new ArrayList<>();
            for (YNode x : v.kind == YNode.Kind.NULL ? List.<YNode>of() : v.seq(what)) {
                out.add(op(x, what));
            }
            return out;
        }

        /** One step: {@code call: ARGS} (mapping by name, one value, or positional in a string), or the older "call ARGS" string. */
        ExploreScenario.Op op(YNode n, String what) {
            String name;
            List<String> pos = new ArrayList<>();
            Map<String, YNode> named = null;
            YNode at = n;
            boolean oldForm;
            if (n.isScalar()) {
                String[] f = n.str("an operation of " + what).trim().split("\\s+");
                name = f[0];
                pos.addAll(List.of(f).subList(1, f.length));
                // a bare name without arguments is a step of the language (as in run scenarios); anything else the older form
                oldForm = f.length > 1 || OLD_NAMES.containsKey(name);
                if (oldFile && name.equals("collapse_scan") && f.length == 1) {
                    // the older spelling's collapse_scan was one pass over every region: now collapse_scan: {all: true}
                    pos.addAll(List.of("0", "true"));
                    oldForm = true;
                    old.add("collapse_scan (now collapse_scan: {all: true})");
                }
                if (oldForm) {
                    old.add("operations as strings (now call: {args})");
                }
            } else {
                Map<String, YNode> m = n.map("an operation of " + what);
                if (m.size() != 1) {
                    throw n.error("expected an operation as one 'call: arguments' entry, found " + m.size() + " keys");
                }
                name = m.keySet().iterator().next();
                at = n.keyNode(name);
                YNode a = m.get(name);
                oldForm = false;
                if (a.isMap()) {
                    named = a.map(name);
                } else if (a.isScalar()) {
                    pos.addAll(List.of(a.str(name).trim().split("\\s+")));
                } else if (a.kind != YNode.Kind.NULL) {
                    for (YNode x : a.seq(name)) {
                        pos.add(x.str("an argument of " + name));
                    }
                }
            }
            String text = name + (pos.isEmpty() ? "" : " " + String.join(" ", pos));
            if (named != null) {
                List<String> kv = new ArrayList<>();
                named.forEach((k, x) -> kv.add(k + "=" + (x.isScalar() ? x.str(k) : "?")));
                text = name + " " + String.join(" ", kv);
            }
            String call = name;
            if (oldForm && (OLD_NAMES.containsKey(name) || OLD_LAST_ARG.containsKey(name))) {
                call = OLD_NAMES.getOrDefault(name, name);
                if (!call.equals(name)) {
                    old.add(name + " (now " + call + ")");
                }
                pos = oldArgs(at, name, pos);
            } else if (!oldForm && (name.equals("change_memory_common") || name.equals("set_memory_invalid")
                    || name.equals("kernel_try_collapse_kernel_pmd"))) {
                throw at.error("'" + name + "' is the older spelling's name: write " + OLD_NAMES.get(name));
            }
            List<Param> params;
            Op op = null;
            if (CALLS.contains(call)) {
                op = Ops.catalogue().require(call);
                params = op.params();
            } else if (LOCAL.containsKey(call)) {
                params = LOCAL.get(call).params();
            } else {
                throw at.error("unknown operation '" + name + "': expected one of " + OPS.keySet());
            }
            List<String> args = named != null ? byName(at, call, params, named) : pos;
            int req = 0;
            for (Param p : params) {
                req += p.optional() ? 0 : 1;
            }
            if (args.size() < req || args.size() > params.size()) {
                throw at.error(name + ": expected " + (req == params.size() ? req : req + " to " + params.size()) + " argument(s) "
                        + labels(params) + ", got " + args.size());
            }
            long pages = 0;
            for (int i = 0; i < params.size() && i < args.size(); i++) {
                if (params.get(i).type() == Param.Type.PAGES) {
                    try {
                        pages = params.get(i).parse(args.get(i));
                    } catch (IllegalArgumentException e) {
                        pages = 0; // reported with its node by value() below
                    }
                }
            }
            boolean first = true;
            for (int i = 0; i < params.size() && i < args.size(); i++) {
                if (params.get(i).type() != Param.Type.ADDR) {
                    continue;
                }
                try {
                    Addr a = Addr.parse(args.get(i));
                    if (a.relative()) {
                        uses.add(new Use(at, name, a, first ? pages : 0, params.get(i).name().equals("end")));
                    }
                } catch (IllegalArgumentException e) {
                    // reported with its node by value() below
                }
                first = false;
            }
            List<ToLongFunction<World>> vals = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                vals.add(i < args.size() ? value(at, name, params.get(i), args.get(i)) : constant(params.get(i).dflt()));
            }
            Consumer<World> action = op != null ? bindCall(op, vals) : bindLocal(at, call, args, vals);
            return new ExploreScenario.Op(text.trim(), action);
        }

        /** The older spelling's arguments, as the call they are now takes them. */
        List<String> oldArgs(YNode at, String name, List<String> pos) {
            List<String> a = new ArrayList<>(pos);
            // set_memory_ro ADDR [PAGES] -> ADDR PAGES ro; set_memory_(in)valid ADDR [PAGES] -> ADDR PAGES false|true
            String last = OLD_LAST_ARG.get(name);
            if (last != null) {
                if (a.isEmpty() || a.size() > 2) {
                    throw at.error(name + ": expected 1 to 2 argument(s) ADDR [PAGES], got " + a.size());
                }
                if (a.size() == 1) {
                    a.add("1");
                }
                a.add(last);
            }
            return a;
        }

        List<String> byName(YNode at, String call, List<Param> params, Map<String, YNode> named) {
            for (String k : named.keySet()) {
                boolean ok = params.stream().anyMatch(p -> p.name().equals(k));
                if (!ok) {
                    throw at.error("unknown argument '" + k + "' of " + call + ": expected " + labels(params).toLowerCase(Locale.ROOT));
                }
            }
            List<String> out = new ArrayList<>();
            for (Param p : params) {
                YNode x = named.get(p.name());
                if (x == null) {
                    if (!p.optional()) {
                        throw at.error(call + ": missing '" + p.name() + "'");
                    }
                    out.add(Long.toString(p.dflt())); // left out: its default
                    continue;
                }
                out.add(x.str(p.name()));
            }
            return out;
        }

        ToLongFunction<World> value(YNode at, String call, Param p, String s) {
            try {
                switch (p.type()) {
                    case ADDR: {
                        Addr a = Addr.parse(s);
                        return a::va;
                    }
                    case PA: {
                        if (s.trim().startsWith("lm")) {
                            Addr a = Addr.parse(s);
                            return w -> w.k.virtToPhys(a.va(w));
                        }
                        return constant(p.parse(s));
                    }
                    case PAGES: {
                        long v = p.parse(s);
                        if (v < 1 || v > 4096) {
                            throw at.error("pages: expected 1..4096, got " + v);
                        }
                        return constant(v);
                    }
                    default:
                        if (LOCAL.containsKey(call) && p.name().equals("name")) {
                            return constant(0); // a mutex name: bound as text
                        }
                        return constant(p.parse(s));
                }
            } catch (ScenarioError e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw at.error(e.getMessage());
            }
        }

        static ToLongFunction<World> constant(long v) {
            return w -> v;
        }

        /** A catalogue call on the world's kernel, through the explorer's bookkeeping around it when it has one ({@link #AROUND}). */
        Consumer<World> bindCall(Op op, List<ToLongFunction<World>> v) {
            Around around = AROUND.get(op.name());
            if (around != null) {
                return w -> around.call(w, v.get(0).applyAsLong(w), v.get(1).applyAsLong(w), v.size() > 2 ? v.get(2).applyAsLong(w) : 0);
            }
            return w -> {
                long[] a = new long[v.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = v.get(i).applyAsLong(w);
                }
                op.apply(w.k, a);
            };
        }

        Consumer<World> bindLocal(YNode at, String name, List<String> args, List<ToLongFunction<World>> v) {
            return switch (name) {
                case "lazy_mmu_mode_enable" -> World::lazyEnter;
                case "lazy_mmu_mode_disable" -> World::lazyLeave;
                case "lazy_mmu_mode_pause" -> w -> w.lazy.pause();
                case "lazy_mmu_mode_resume" -> w -> w.lazy.resume();
                case "set_pte_valid" -> w -> w.setPteValid(v.get(0).applyAsLong(w));
                case "ptep_set_rdonly" -> w -> w.ptepSetRdonly(v.get(0).applyAsLong(w));
                case "__kernel_map_pages" -> w -> w.kernelMapPages(v.get(0).applyAsLong(w), (int) v.get(1).applyAsLong(w));
                case "mutex_lock", "mutex_unlock" -> {
                    String m = args.get(0).trim();
                    if (!m.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                        throw at.error(name + ": expected a lock name (letters, digits, _ and .), got '" + m + "'");
                    }
                    boolean lock = name.equals("mutex_lock");
                    yield w -> {
                        if (lock) {
                            w.mutexLock(m);
                        } else {
                            w.mutexUnlock(m);
                        }
                    };
                }
                default -> w -> w.touch(v.get(0).applyAsLong(w), name);
            };
        }
    }

    /** An address: lm-relative offset or absolute VA. */
    record Addr(boolean relative, long value) {
        long va(World w) {
            return relative ? w.linearBase() + value : value;
        }

        static Addr parse(String s) {
            String[] terms = s.split("\\+", -1);
            boolean rel = false;
            long v = 0;
            for (int i = 0; i < terms.length; i++) {
                String t = terms[i].trim();
                if (t.equals("lm")) {
                    if (i != 0) {
                        throw new IllegalArgumentException("address '" + s + "': lm must come first, e.g. lm+0x1000");
                    }
                    rel = true;
                    continue;
                }
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("address '" + s + "': expected lm+OFFSET or a hex VA");
                }
                try {
                    v += Sizes.parse(t);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("address '" + s + "': " + e.getMessage());
                }
            }
            return new Addr(rel, v);
        }
    }
}
