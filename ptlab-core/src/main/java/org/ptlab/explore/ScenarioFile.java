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
import java.util.function.Consumer;
import org.ptlab.arch.Granule;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.kernel.Variants;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The explorer's scenario file: a small YAML document (shipped examples under
 * scenarios/concurrency/).
 *
 * <pre>
 * name: seed000-split-race
 * description: two concurrent splits update the shared DirectMap counters
 * machine: {granule: 4K, memory: 4M, bbml2: true, debug_pagealloc: false, version: "7.2"}
 * variants: [lazy=generic]
 * mutations: []                  # no-split-lock, no-lazy-flush, cont-one-entry, counter-outside-lock,
 *                                # or an alias of a kernel variant: no-tlb-flush, ... (see Mutation)
 * expect: safe                   # safe | violation
 * setup:                         # run before the CPUs start, not scheduled
 *   - set_memory_invalid lm+0x5000 1
 * cpu0:
 *   - split_kernel_leaf_mapping lm+0x1000 lm+0x2000
 * cpu1:
 *   - split_kernel_leaf_mapping lm+0x201000 lm+0x202000
 * </pre>
 *
 * The number of CPUs is the number of {@code cpuN} keys (cpu0, cpu1, ... without gaps).
 * Addresses: {@code lm} (the first linear-map VA) plus offsets ({@code lm+2M+0x1000}), or an
 * absolute VA in hex. Operations: see {@link #OPS}. Errors name the file, line and what was
 * expected, as IllegalArgumentException.
 */
public final class ScenarioFile {
    private ScenarioFile() {}

    /** Operation name -> (argument kinds, description). */
    public static final Map<String, String> OPS = new LinkedHashMap<>();

    static {
        OPS.put("split_kernel_leaf_mapping", "START END: take pgtable_split_lock, lazy MMU, make START and END leaf boundaries");
        OPS.put("lazy_mmu_mode_enable", ": enter a lazy MMU section");
        OPS.put("lazy_mmu_mode_disable", ": leave a lazy MMU section");
        OPS.put("lazy_mmu_mode_pause", ": pause lazy MMU mode");
        OPS.put("lazy_mmu_mode_resume", ": resume lazy MMU mode");
        OPS.put("ptep_set_rdonly", "ADDR: make a PTE-mapped linear page read-only (__set_pte, barriers queued)");
        OPS.put("set_pte_valid", "ADDR: one __set_pte making a PTE-mapped linear page valid (barriers queued; no section of its own)");
        OPS.put("set_memory_valid", "ADDR [PAGES]: make PTE-mapped linear pages valid (own lazy section)");
        OPS.put("set_memory_invalid", "ADDR [PAGES]: make PTE-mapped linear pages invalid, flush the TLB");
        OPS.put("__kernel_map_pages", "ADDR [PAGES]: DEBUG_PAGEALLOC map on allocation (set_memory_valid)");
        OPS.put("change_memory_common", "ADDR PAGES ro|rw: the kernel's own __change_memory_common on the linear map (PageAttr: split, pageattr walk, flush)");
        OPS.put("set_memory_ro", "ADDR [PAGES]: the same as change_memory_common ADDR PAGES ro (the kernel's code)");
        OPS.put("try_collapse_kernel_pmd", "ADDR: seed 001's collapse of the PTE table under the PMD at ADDR into a block (kernel.Collapse)");
        OPS.put("kernel_try_collapse_kernel_pmd", "ADDR: the same as try_collapse_kernel_pmd (the older name)");
        OPS.put("collapse_scan", ": one pass of the kernel model's collapse=background scanner over every region");
        OPS.put("add_memory", "ADDR SIZE: hot-add and online the RAM behind linear ADDR (arch_add_memory; 2M blocks)");
        OPS.put("mutex_lock", "NAME: take a scenario-level mutex (e.g. an execmem lock: exclusion from above)");
        OPS.put("mutex_unlock", "NAME: release it");
        OPS.put("clear_page", "ADDR: access the page through the walker (hazard if its mapping is not yet visible)");
        OPS.put("touch", "ADDR: a load through the walker (and the TLBs with machine hw)");
        OPS.put("store", "ADDR: a store through the walker (and the TLBs with machine hw)");
    }

    public static ExploreScenario load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > 1 << 20) {
            throw new IllegalArgumentException(file + ": scenario file larger than 1 MiB");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parse a scenario document; {@code where} names it in errors. */
    public static ExploreScenario parse(String text, String where) {
        LoaderOptions lo = new LoaderOptions();
        lo.setMaxAliasesForCollections(20);
        lo.setAllowDuplicateKeys(false);
        lo.setCodePointLimit(1 << 20);
        lo.setNestingDepthLimit(20);
        Node root;
        try {
            root = new Yaml(lo).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new IllegalArgumentException(where + (m != null ? ":" + (m.getLine() + 1) : "") + ": bad YAML: "
                    + (e.getProblem() != null ? e.getProblem() : "syntax error"));
        } catch (YAMLException | IllegalStateException e) {
            throw new IllegalArgumentException(where + ": bad YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            throw new IllegalArgumentException(where + ":1: empty scenario file: expected a mapping with name, machine and cpu0");
        }
        return new Parser(where).scenario(root);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final class Parser {
        final String where;

        Parser(String where) {
            this.where = where;
        }

        IllegalArgumentException err(Node n, String msg) {
            return new IllegalArgumentException(where + ":" + (n.getStartMark().getLine() + 1) + ": " + msg);
        }

        MappingNode map(Node n, String what) {
            if (n instanceof MappingNode m) {
                return m;
            }
            throw err(n, "expected a mapping for " + what);
        }

        SequenceNode seq(Node n, String what) {
            if (n instanceof SequenceNode s) {
                return s;
            }
            throw err(n, "expected a list for " + what);
        }

        String scalar(Node n, String what) {
            if (n instanceof ScalarNode s) {
                return s.getValue();
            }
            throw err(n, "expected a single value for " + what);
        }

        boolean bool(Node n, String what) {
            String v = scalar(n, what).trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw err(n, what + ": expected true or false, got '" + v + "'");
            };
        }

        ExploreScenario scenario(Node root) {
            MappingNode m = map(root, "the scenario");
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
            Map<Integer, Node> cpuNodes = new java.util.TreeMap<>();
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode(), "a key");
                Node v = t.getValueNode();
                switch (key) {
                    case "name" -> name = scalar(v, "name").trim();
                    case "description" -> description = scalar(v, "description").trim();
                    case "machine" -> {
                        for (NodeTuple mt : map(v, "machine").getValue()) {
                            String mk = scalar(mt.getKeyNode(), "a machine key");
                            Node mv = mt.getValueNode();
                            try {
                                switch (mk) {
                                    case "granule" -> granule = Granule.parse(scalar(mv, "granule").trim());
                                    case "memory" -> memory = Sizes.parse(scalar(mv, "memory"));
                                    case "bbml2" -> {
                                        String b = scalar(mv, "bbml2").trim().toLowerCase(Locale.ROOT);
                                        bbml2 = switch (b) {
                                            case "true", "yes", "on" -> ExploreMachine.Bbml2.ALL;
                                            case "false", "no", "off" -> ExploreMachine.Bbml2.NONE;
                                            case "boot-cpu" -> ExploreMachine.Bbml2.BOOT_CPU; // CPU0 only
                                            default -> throw err(mv, "bbml2: expected true, false or boot-cpu, got '" + b + "'");
                                        };
                                    }
                                    case "debug_pagealloc" -> dpa = bool(mv, "debug_pagealloc");
                                    case "version" -> version = KernelVersion.parse(scalar(mv, "version").trim());
                                    case "hw" -> {
                                        String h = scalar(mv, "hw").trim();
                                        if (!h.equals("none")) {
                                            org.ptlab.hw.Presets.get(h);
                                            hw = h;
                                        }
                                    }
                                    default -> throw err(mt.getKeyNode(), "unknown machine key '" + mk
                                            + "': expected granule, memory, bbml2, debug_pagealloc, version or hw");
                                }
                            } catch (IllegalArgumentException e) {
                                if (e.getMessage() != null && e.getMessage().startsWith(where + ":")) {
                                    throw e;
                                }
                                throw err(mv, "machine." + mk + ": " + e.getMessage());
                            }
                        }
                    }
                    case "variants" -> {
                        for (Node x : seq(v, "variants").getValue()) {
                            String s = scalar(x, "a variant").trim();
                            try {
                                Variants.none().with(s);
                            } catch (IllegalArgumentException e) {
                                throw err(x, e.getMessage());
                            }
                            variants.add(s);
                        }
                    }
                    case "mutations" -> {
                        for (Node x : seq(v, "mutations").getValue()) {
                            try {
                                muts.add(Mutation.parse(scalar(x, "a mutation")));
                            } catch (IllegalArgumentException e) {
                                throw err(x, e.getMessage());
                            }
                        }
                    }
                    case "expect" -> {
                        String e = scalar(v, "expect").trim();
                        expect = switch (e) {
                            case "safe" -> ExploreScenario.Expect.SAFE;
                            case "violation" -> ExploreScenario.Expect.VIOLATION;
                            default -> throw err(v, "expect: expected safe or violation, got '" + e + "'");
                        };
                    }
                    case "setup" -> setup.addAll(ops(v, "setup"));
                    default -> {
                        if (key.matches("cpu[0-9]")) {
                            int c = key.charAt(3) - '0';
                            cpus.put(c, ops(v, key));
                            cpuNodes.put(c, t.getKeyNode());
                        } else {
                            throw err(t.getKeyNode(), "unknown key '" + key
                                    + "': expected name, description, machine, variants, mutations, expect, setup or cpu0..cpu7");
                        }
                    }
                }
            }
            if (name == null || name.isEmpty()) {
                throw err(root, "missing 'name'");
            }
            if (cpus.isEmpty()) {
                throw err(root, "no CPU programs: expected cpu0 (and cpu1, ...)");
            }
            int n = cpus.size();
            for (int c : cpus.keySet()) {
                if (c >= n) {
                    throw err(cpuNodes.get(c), "cpu" + c + " without cpu" + (c - 1) + ": expected cpu0..cpu" + (n - 1));
                }
            }
            ExploreMachine spec;
            try {
                spec = new ExploreMachine(granule, memory, n, bbml2, dpa, version, variants, hw);
                spec.layout().validate(granule.pageSize());
            } catch (IllegalArgumentException e) {
                throw err(root, "machine: " + e.getMessage());
            }
            return new ExploreScenario(name, description, spec, setup, new ArrayList<>(cpus.values()), muts, expect, where);
        }

        List<ExploreScenario.Op> ops(Node v, String what) {
            List<ExploreScenario.Op> out = new ArrayList<>();
            for (Node x : seq(v, what).getValue()) {
                out.add(op(x, scalar(x, "an operation of " + what)));
            }
            return out;
        }

        ExploreScenario.Op op(Node n, String text) {
            String[] f = text.trim().split("\\s+");
            String name = f[0];
            if (!OPS.containsKey(name)) {
                throw err(n, "unknown operation '" + name + "': expected one of " + OPS.keySet());
            }
            Consumer<World> a = switch (name) {
                case "split_kernel_leaf_mapping" -> {
                    args(n, f, 2, 2);
                    Addr s = addr(n, f[1]);
                    Addr e = addr(n, f[2]);
                    yield w -> w.splitKernelLeafMapping(s.va(w), e.va(w));
                }
                case "lazy_mmu_mode_enable" -> {
                    args(n, f, 0, 0);
                    yield World::lazyEnter;
                }
                case "lazy_mmu_mode_disable" -> {
                    args(n, f, 0, 0);
                    yield World::lazyLeave;
                }
                case "lazy_mmu_mode_pause" -> {
                    args(n, f, 0, 0);
                    yield w -> w.lazy.pause();
                }
                case "lazy_mmu_mode_resume" -> {
                    args(n, f, 0, 0);
                    yield w -> w.lazy.resume();
                }
                case "set_pte_valid" -> {
                    args(n, f, 1, 1);
                    Addr x = addr(n, f[1]);
                    yield w -> w.setPteValid(x.va(w));
                }
                case "ptep_set_rdonly" -> {
                    args(n, f, 1, 1);
                    Addr x = addr(n, f[1]);
                    yield w -> w.ptepSetRdonly(x.va(w));
                }
                case "set_memory_ro" -> {
                    args(n, f, 1, 2);
                    Addr x = addr(n, f[1]);
                    int pages = f.length > 2 ? pages(n, f[2]) : 1;
                    yield w -> w.kernelChangeMemory(x.va(w), pages, true);
                }
                case "mutex_lock", "mutex_unlock" -> {
                    args(n, f, 1, 1);
                    String m = f[1];
                    if (!m.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                        throw err(n, name + ": expected a lock name (letters, digits, _ and .), got '" + m + "'");
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
                case "add_memory" -> {
                    args(n, f, 2, 2);
                    Addr x = addr(n, f[1]);
                    long size;
                    try {
                        size = org.ptlab.arch.Sizes.parse(f[2]);
                    } catch (IllegalArgumentException e) {
                        throw err(n, "add_memory: " + e.getMessage());
                    }
                    yield w -> w.addMemory(x.va(w), size);
                }
                case "change_memory_common" -> {
                    args(n, f, 3, 3);
                    Addr x = addr(n, f[1]);
                    int pages = pages(n, f[2]);
                    if (!f[3].equals("ro") && !f[3].equals("rw")) {
                        throw err(n, "change_memory_common: expected ro or rw, got '" + f[3] + "'");
                    }
                    boolean ro = f[3].equals("ro");
                    yield w -> w.kernelChangeMemory(x.va(w), pages, ro);
                }
                case "try_collapse_kernel_pmd", "kernel_try_collapse_kernel_pmd" -> {
                    args(n, f, 1, 1);
                    Addr x = addr(n, f[1]);
                    yield w -> w.kernelTryCollapseKernelPmd(x.va(w));
                }
                case "collapse_scan" -> {
                    args(n, f, 0, 0);
                    yield World::collapseScan;
                }
                case "set_memory_valid", "set_memory_invalid", "__kernel_map_pages" -> {
                    args(n, f, 1, 2);
                    Addr x = addr(n, f[1]);
                    int pages = f.length > 2 ? pages(n, f[2]) : 1;
                    if (name.equals("__kernel_map_pages")) {
                        yield w -> w.kernelMapPages(x.va(w), pages);
                    }
                    boolean en = name.equals("set_memory_valid");
                    yield w -> w.setMemoryValid(x.va(w), pages, en);
                }
                default -> {
                    args(n, f, 1, 1);
                    Addr x = addr(n, f[1]);
                    yield w -> w.touch(x.va(w), name);
                }
            };
            return new ExploreScenario.Op(text.trim(), a);
        }

        void args(Node n, String[] f, int min, int max) {
            int k = f.length - 1;
            if (k < min || k > max) {
                throw err(n, f[0] + ": expected " + (min == max ? min : min + " to " + max) + " argument(s) " + OPS.get(f[0]).split(":")[0].trim()
                        + ", got " + k);
            }
        }

        int pages(Node n, String s) {
            try {
                int p = Integer.parseInt(s);
                if (p < 1 || p > 4096) {
                    throw err(n, "pages: expected 1..4096, got " + p);
                }
                return p;
            } catch (NumberFormatException e) {
                throw err(n, "pages: expected a number, got '" + s + "'");
            }
        }

        Addr addr(Node n, String s) {
            try {
                return Addr.parse(s);
            } catch (IllegalArgumentException e) {
                throw err(n, e.getMessage());
            }
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
