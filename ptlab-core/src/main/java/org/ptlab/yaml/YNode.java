package org.ptlab.yaml;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.ptlab.arch.Sizes;

/**
 * A YAML value with the file position it came from (Jackson's {@link JsonLocation}), so that every
 * error in a scenario can name file, line and column. Maps keep their key order and reject
 * duplicate keys; scalars keep their text.
 */
public final class YNode {
    public enum Kind { MAP, SEQ, SCALAR, NULL }

    public final Kind kind;
    public final String file;
    public final int line;
    public final int column;
    private final String text;
    private final Map<String, YNode> map;
    private final Map<String, YNode> keys;
    private final List<YNode> seq;

    private YNode(Kind kind, String file, JsonLocation loc, String text, Map<String, YNode> map, Map<String, YNode> keys, List<YNode> seq) {
        this.kind = kind;
        this.file = file;
        this.line = loc == null ? 0 : loc.getLineNr();
        this.column = loc == null ? 0 : loc.getColumnNr();
        this.text = text;
        this.map = map;
        this.keys = keys;
        this.seq = seq;
    }

    private static final YAMLFactory YAML = new YAMLFactory();

    /** Parse a YAML document; an empty document is a NULL node. */
    public static YNode parse(String text, String file) {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YNode(Kind.NULL, file, null, null, null, null, null);
            }
            YNode n = read(p, file);
            if (p.nextToken() != null) {
                throw new ScenarioError(file, p.currentTokenLocation().getLineNr(), p.currentTokenLocation().getColumnNr(),
                        "expected a single YAML document");
            }
            return n;
        } catch (ScenarioError e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage();
            int nl = msg.indexOf('\n');
            throw new ScenarioError(file, l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr()),
                    "bad YAML: " + (nl > 0 ? msg.substring(0, nl) : msg));
        } catch (IOException | RuntimeException e) {
            throw new ScenarioError(file, 1, 1, "bad YAML: " + e.getMessage());
        }
    }

    private static YNode read(JsonParser p, String file) throws IOException {
        JsonToken t = p.currentToken();
        JsonLocation loc = p.currentTokenLocation();
        switch (t) {
            case START_OBJECT: {
                Map<String, YNode> m = new LinkedHashMap<>();
                Map<String, YNode> ks = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation kl = p.currentTokenLocation();
                    if (m.containsKey(key)) {
                        throw new ScenarioError(file, kl.getLineNr(), kl.getColumnNr(), "duplicate key '" + key + "'");
                    }
                    p.nextToken();
                    m.put(key, read(p, file));
                    ks.put(key, new YNode(Kind.SCALAR, file, kl, key, null, null, null));
                }
                return new YNode(Kind.MAP, file, loc, null, m, ks, null);
            }
            case START_ARRAY: {
                List<YNode> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, file));
                }
                return new YNode(Kind.SEQ, file, loc, null, null, null, l);
            }
            case VALUE_NULL:
                return new YNode(Kind.NULL, file, loc, null, null, null, null);
            default:
                if (t.isScalarValue()) {
                    return new YNode(Kind.SCALAR, file, loc, p.getText(), null, null, null);
                }
                throw new ScenarioError(file, loc.getLineNr(), loc.getColumnNr(), "unexpected YAML token " + t);
        }
    }

    // ------------------------------------------------------------------ access

    /** An empty (NULL) node at this node's position, for steps written without arguments. */
    public YNode nullAt() {
        YNode n = new YNode(Kind.NULL, file, null, null, null, null, null);
        return n.at(line, column);
    }

    private YNode at(int l, int c) {
        return new YNode(kind, file, l, c, text, map, keys, seq);
    }

    private YNode(Kind kind, String file, int line, int column, String text, Map<String, YNode> map, Map<String, YNode> keys, List<YNode> seq) {
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.column = column;
        this.text = text;
        this.map = map;
        this.keys = keys;
        this.seq = seq;
    }

    public ScenarioError error(String msg) {
        return new ScenarioError(file, Math.max(1, line), Math.max(1, column), msg);
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isSeq() {
        return kind == Kind.SEQ;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public Map<String, YNode> map(String what) {
        if (kind == Kind.NULL) {
            return Collections.emptyMap();
        }
        if (kind != Kind.MAP) {
            throw error("expected " + what + " as a mapping (key: value lines)");
        }
        return map;
    }

    public List<YNode> seq(String what) {
        if (kind == Kind.NULL) {
            return Collections.emptyList();
        }
        if (kind != Kind.SEQ) {
            throw error("expected " + what + " as a list (lines starting with '- ')");
        }
        return seq;
    }

    /** The node for a key's own position (to report unknown keys). */
    public YNode keyNode(String key) {
        return keys.get(key);
    }

    public YNode get(String key) {
        return map == null ? null : map.get(key);
    }

    public String str(String what) {
        if (kind != Kind.SCALAR) {
            throw error("expected " + what + " as a single value");
        }
        return text;
    }

    /** A size or address: decimal, 0x-hex, with an optional K/M/G/T suffix. */
    public long size(String what) {
        String s = str(what);
        try {
            return Sizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw error("bad " + what + " '" + s + "': expected a size or address such as 64K, 2M, 4096 or 0x40000000");
        }
    }

    public long integer(String what, long min, long max) {
        String s = str(what);
        long v;
        try {
            v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw error("bad " + what + " '" + s + "': expected a whole number");
        }
        if (v < min || v > max) {
            throw error("bad " + what + " " + v + ": expected " + min + ".." + max);
        }
        return v;
    }

    public boolean bool(String what) {
        String s = str(what).toLowerCase(java.util.Locale.ROOT);
        switch (s) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": return false;
            default: throw error("bad " + what + " '" + s + "': expected true or false");
        }
    }

    /** Reject keys not in the allowed list, naming the first unknown one. */
    public void allowKeys(String what, String... allowed) {
        for (String k : map(what).keySet()) {
            boolean ok = false;
            for (String a : allowed) {
                ok |= a.equals(k);
            }
            if (!ok) {
                throw keys.get(k).error("unknown key '" + k + "' in " + what + ": expected one of " + String.join(", ", allowed));
            }
        }
    }
}
