package org.ptlab.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Writes plain Java objects (public fields) as YAML, for files ptlab prints that users edit and
 * feed back (e.g. {@code ptlab tlb-study presets --yaml}); they are read back through
 * {@link YNode}. Output only: input is read by {@link YNode}.
 */
public final class YamlWriter {
    private YamlWriter() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static String write(Object o) {
        try {
            return YAML.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
