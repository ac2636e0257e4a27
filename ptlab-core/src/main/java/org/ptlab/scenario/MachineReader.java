package org.ptlab.scenario;

import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.yaml.YNode;

/**
 * The one reader of a {@code machine:} section, for run scenarios and explorer scenarios alike:
 * the keys of {@link MachineSpec#KEYS}, laid over the command's defaults, with errors naming the
 * file, line and column of the offending value.
 *
 * <p>The explorer's older spelling is still read for one release, each with one deprecation line
 * (through {@code deprecated}): {@code memory} (now {@code mem}), {@code version} (now
 * {@code kernel}), {@code debug_pagealloc} (now {@code debug-pagealloc}) and {@code bbml2:
 * true|false} (now {@code noabort|none}).
 */
public final class MachineReader {
    private MachineReader() {}

    /**
     * Read {@code n} (a mapping, or null/empty for the defaults) over a copy of {@code defaults}.
     * {@code deprecated} receives one phrase per older-spelling key met, e.g. "machine.memory (now mem)".
     */
    public static MachineSpec read(YNode n, MachineSpec defaults, Consumer<String> deprecated) {
        MachineSpec s = defaults.copy();
        if (n == null || n.kind == YNode.Kind.NULL) {
            return s;
        }
        Map<String, YNode> keys = n.map("machine");
        if (keys.containsKey("mem") || keys.containsKey("memory") || keys.containsKey("memmap") || keys.containsKey("iomem")) {
            // the file's memory replaces the defaults', whichever source either used
            s.mem = null;
            s.memmap = null;
            s.iomem = null;
        }
        boolean memSeen = false;
        for (Map.Entry<String, YNode> e : keys.entrySet()) {
            String k = e.getKey();
            YNode x = e.getValue();
            String key = switch (k) {
                case "memory" -> {
                    deprecated.accept("machine.memory (now mem)");
                    yield "mem";
                }
                case "version" -> {
                    deprecated.accept("machine.version (now kernel)");
                    yield "kernel";
                }
                case "debug_pagealloc" -> {
                    deprecated.accept("machine.debug_pagealloc (now debug-pagealloc)");
                    yield "debug-pagealloc";
                }
                default -> k;
            };
            if (!MachineSpec.KEYS.contains(key)) {
                throw n.keyNode(k).error("unknown machine key '" + k + "': expected one of " + String.join(", ", MachineSpec.KEYS));
            }
            if (key.equals("mem")) {
                if (memSeen) {
                    throw x.error("give mem: or memory:, not both");
                }
                memSeen = true;
            }
            try {
                set(s, key, x, deprecated);
            } catch (ScenarioError err) {
                throw err;
            } catch (IllegalArgumentException err) {
                throw x.error("machine." + key + ": " + err.getMessage());
            }
        }
        return s;
    }

    private static void set(MachineSpec s, String key, YNode x, Consumer<String> deprecated) {
        switch (key) {
            case "va-bits" -> s.vaBits = (int) x.integer(key, 0, 64);
            case "cpus" -> s.cpus = (int) x.integer(key, 1, 64);
            case "kfence" -> s.kfence = x.integer(key, 0, Long.MAX_VALUE);
            case "debug-pagealloc" -> s.debugPagealloc = x.bool(key);
            case "realm" -> s.realm = x.bool(key);
            case "kpti" -> s.kpti = x.bool(key);
            case "kaslr" -> s.kaslr = x.bool(key);
            case "tlb-range" -> s.tlbRange = x.bool(key);
            case "mem", "memory-block-size" -> {
                String v = x.str(key).trim();
                org.ptlab.arch.Sizes.parse(v); // a size, checked here so the error points at it
                s.set(key, v);
            }
            case "granule" -> {
                String v = x.str(key).trim();
                org.ptlab.arch.Granule.parse(v);
                s.granule = v;
            }
            case "kernel" -> {
                String v = x.str(key).trim();
                org.ptlab.kernel.KernelVersion.parse(v);
                s.kernel = v;
            }
            case "bbml2" -> {
                String b = x.str(key).trim().toLowerCase(Locale.ROOT);
                s.bbml2 = switch (b) {
                    case "noabort", "none", "auto", "boot-cpu" -> b;
                    case "true", "yes", "on" -> {
                        deprecated.accept("bbml2: " + b + " (now noabort)");
                        yield "noabort";
                    }
                    case "false", "no", "off" -> {
                        deprecated.accept("bbml2: " + b + " (now none)");
                        yield "none";
                    }
                    default -> throw x.error("machine.bbml2: expected noabort, none, auto or boot-cpu, got '" + b + "'");
                };
            }
            case "hw" -> {
                String h = x.str(key).trim();
                if (!h.equals("none")) {
                    org.ptlab.hw.Presets.get(h);
                }
                s.set(key, h);
            }
            case "cmdline" -> s.cmdline = x.str(key);
            default -> s.set(key, x.str(key).trim());
        }
    }
}
