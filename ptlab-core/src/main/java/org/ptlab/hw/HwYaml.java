package org.ptlab.hw;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.ptlab.arch.Sizes;

/**
 * A custom core configuration in YAML. The document is a {@link CoreConfig}; {@code base: <preset>}
 * starts from a preset and overrides the keys given (lists are replaced as a whole); cache sizes may
 * be written as "64K", "1M". Unknown keys are errors. Example:
 *
 * <pre>
 * base: neoverse-n1
 * name: n1-small-l2
 * caches:
 *   - {name: L1D, size: 64K, ways: 4, latency: 4}
 *   - {name: L2, size: 256K, ways: 8, latency: 9}
 * </pre>
 */
public final class HwYaml {
    private HwYaml() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Parse a YAML text (where = file name for messages). Throws IllegalArgumentException. */
    public static CoreConfig parse(String text, String where) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not valid YAML: " + oneLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new IllegalArgumentException(where + ": empty document: expected a core configuration");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping of core configuration keys");
        }
        ObjectNode obj = (ObjectNode) root;
        CoreConfig base = new CoreConfig();
        JsonNode b = obj.remove("base");
        if (b != null) {
            if (!b.isTextual()) {
                throw new IllegalArgumentException(where + ": base: expected a preset name " + Presets.names());
            }
            try {
                base = Presets.get(b.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": base: " + e.getMessage());
            }
        }
        JsonNode caches = obj.get("caches");
        if (caches != null && caches.isArray()) {
            for (JsonNode c : caches) {
                if (c instanceof ObjectNode co && co.get("size") != null && co.get("size").isTextual()) {
                    try {
                        co.put("size", Sizes.parse(co.get("size").asText()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + ": cache size: " + e.getMessage());
                    }
                }
            }
        }
        try {
            CoreConfig c = YAML.readerForUpdating(base).readValue(obj);
            if (c == null) {
                throw new IllegalArgumentException(where + ": empty configuration");
            }
            if (c.tlbs != null) {
                for (Iterator<CoreConfig.TlbLevel> it = c.tlbs.iterator(); it.hasNext();) {
                    if (it.next() == null) {
                        throw new IllegalArgumentException(where + ": tlbs: empty entry");
                    }
                }
            }
            return c.validate();
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": " + oneLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": invalid configuration: " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    public static CoreConfig load(Path file) throws IOException {
        return parse(org.ptlab.io.InputFile.readText(file, org.ptlab.io.InputFile.Kind.CORE_YAML), file.toString());
    }

    /** The YAML text of a config (for `ptlab tlb-study preset --yaml`). */
    public static String toYaml(CoreConfig c) {
        try {
            return YAML.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys of a config, for documentation. */
    static Map<String, Object> describe(CoreConfig c) {
        return YAML.convertValue(c, Map.class);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return (i < 0 ? s : s.substring(0, i)).trim();
    }
}
