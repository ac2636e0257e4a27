package org.ptlab.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser of the text an ftrace instance prints in {@code /sys/kernel/tracing/trace} when kprobe
 * events (and the {@code module:module_load} tracepoint) are enabled with the nop tracer:
 *
 * <pre>
 * # tracer: nop
 * #
 * # entries-in-buffer/entries-written: 3/3   #P:8
 * #
 * #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
 * #              | |         |   |||||     |         |
 *           insmod-1201    [003] .....   812.331975: vmalloc: (__vmalloc_node_range+0x0/0x90) size=0x5000 ...
 *           insmod-1201    [003] .....   812.332010: vmalloc_ret: (execmem_alloc+0x5c/0x98 &lt;- __vmalloc_node_range) ret=0xffff800080a10000
 * CPU:2 [LOST 17 EVENTS]
 * </pre>
 *
 * An event line is {@code COMM-PID [CPU] FLAGS TIMESTAMP: EVENT: BODY}; the TGID column
 * ({@code (  1201)}, option record-tgid) and the flags column are optional. A kprobe body starts
 * with {@code (symbol+off/size)}, a return probe's with {@code (caller+off/size <- function)},
 * followed by {@code name=value} arguments (hex 0x..., decimal, or "string"). The function the probe
 * sits on, not the event's name, decides what the event means ({@link FtraceEvent#function}).
 * Comment lines start with {@code #}; {@code # ptlab: key=value} lines are directives for the
 * address remapping (va_bits, page_size, vmemmap, struct_page).
 *
 * <p>Errors: a malformed line throws IllegalArgumentException {@code FILE:LINE: what was expected}.
 * A last line without its newline that does not parse is a truncated write: it is dropped with a
 * warning and everything before it is kept.
 */
public final class FtraceParser {
    private FtraceParser() {}

    /** What a trace file held. */
    public record Trace(String file, List<FtraceEvent> events, Map<String, String> directives, List<String> warnings,
            String tracer, long lostEvents, int lines) {}

    private static final Pattern EVENT = Pattern.compile(
            "^\\s*(.*?)-(\\d+)\\s+(?:\\(\\s*[-\\d]+\\)\\s+)?\\[(\\d{1,5})\\]\\s+(?:([^\\s:]{1,8})\\s+)?(\\d{1,12}\\.\\d{1,9}):\\s+([\\w.]+):\\s?(.*)$");
    private static final Pattern LOST = Pattern.compile("^CPU:(\\d{1,5}) \\[LOST (\\d{1,19}) EVENTS\\]\\s*$");
    private static final Pattern PROBE = Pattern.compile("^\\(([^()\\s]*?)(?: <- ([\\w.]+))?\\)\\s*(.*)$");
    private static final Pattern ARG = Pattern.compile("\\G\\s*([A-Za-z_][\\w]{0,63})=(\"[^\"]*\"|\\S*)");
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*ptlab:\\s*([a-z_]+)\\s*=\\s*(\\S+)\\s*$");
    private static final Pattern TRACER = Pattern.compile("^#\\s*tracer:\\s*(\\S+)\\s*$");

    /** Functions only kprobes report: an event named after one must have a kprobe body. */
    private static final java.util.Set<String> PROBED = java.util.Set.of("set_memory_ro", "set_memory_rw", "set_memory_x",
            "set_memory_nx", "set_memory_valid", "set_direct_map_invalid_noflush", "set_direct_map_default_noflush",
            "set_direct_map_valid_noflush", "vfree", "vmalloc", "vmalloc_ret", "__vmalloc_node_range", "__vmalloc_node_range_noprof");

    /** Parse a whole trace text (from file, for messages). */
    public static Trace parse(String text, String file) {
        List<FtraceEvent> events = new ArrayList<>();
        Map<String, String> dirs = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        String tracer = null;
        long lost = 0;
        int lineNo = 0;
        int pos = 0;
        int len = text.length();
        while (pos < len) {
            int nl = text.indexOf('\n', pos);
            boolean complete = nl >= 0;
            String line = text.substring(pos, complete ? nl : len);
            pos = complete ? nl + 1 : len;
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            try {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    Matcher d = DIRECTIVE.matcher(line);
                    if (d.matches()) {
                        dirs.put(d.group(1), d.group(2));
                    } else if (line.trim().startsWith("# ptlab:")) {
                        throw new IllegalArgumentException("expected '# ptlab: key=value'");
                    }
                    Matcher t = TRACER.matcher(line);
                    if (t.matches()) {
                        tracer = t.group(1);
                    }
                    continue;
                }
                Matcher l = LOST.matcher(line);
                if (l.matches()) {
                    long n = parseLong(l.group(2), "the LOST count");
                    lost += n;
                    warnings.add(String.format("%s:%d: CPU %s lost %d events: the replay misses whatever they did", file, lineNo,
                            l.group(1), n));
                    continue;
                }
                events.add(event(line, lineNo));
            } catch (IllegalArgumentException e) {
                if (!complete) {
                    warnings.add(String.format("%s:%d: truncated last line ignored (%s); replaying the %d complete events before it",
                            file, lineNo, e.getMessage(), events.size()));
                    break;
                }
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage());
            }
        }
        if (tracer != null && !tracer.equals("nop")) {
            warnings.add(file + ": tracer is '" + tracer + "', not nop: only event lines are read");
        }
        return new Trace(file, events, dirs, warnings, tracer, lost, lineNo);
    }

    private static FtraceEvent event(String line, int lineNo) {
        Matcher m = EVENT.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected an event line 'COMM-PID [CPU] FLAGS SECONDS.MICROS: EVENT: ...', a '#' comment or 'CPU:N [LOST n EVENTS]'");
        }
        String comm = m.group(1).trim();
        int pid = (int) Math.min(Integer.MAX_VALUE, parseLong(m.group(2), "the PID"));
        int cpu = Integer.parseInt(m.group(3));
        String ts = m.group(5);
        String name = m.group(6);
        String body = m.group(7);
        String function;
        boolean ret = false;
        String args;
        Matcher p = PROBE.matcher(body);
        if (body.startsWith("(")) {
            if (!p.matches()) {
                throw new IllegalArgumentException("expected '(symbol+off/size)' or '(caller+off/size <- function)' after '" + name + ":'");
            }
            if (p.group(2) != null) {
                ret = true;
                function = p.group(2);
            } else {
                function = symbol(p.group(1));
            }
            args = p.group(3);
        } else if (PROBED.contains(name)) {
            throw new IllegalArgumentException("expected '(" + name + "+off/size)' after '" + name + ":' (a kprobe event)");
        } else {
            // a tracepoint: module_load prints "NAME FLAGS"
            function = name;
            args = body;
        }
        Map<String, String> a = new LinkedHashMap<>();
        if (body.startsWith("(")) {
            Matcher am = ARG.matcher(args);
            int at = 0;
            while (at < args.length() && am.find(at) && am.start() == at) {
                String v = am.group(2);
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("argument '" + am.group(1) + "=' has no value");
                }
                a.put(am.group(1), v);
                at = am.end();
            }
            if (!args.substring(at).isBlank()) {
                throw new IllegalArgumentException("expected name=value arguments, found '" + clip(args.substring(at).trim()) + "'");
            }
        } else {
            a.put("text", args.trim());
        }
        return new FtraceEvent(lineNo, comm, pid, cpu, ts, name, function, ret, a);
    }

    /** "set_memory_ro+0x0/0x30" -> "set_memory_ro". */
    private static String symbol(String s) {
        int plus = s.indexOf('+');
        String sym = plus >= 0 ? s.substring(0, plus) : s;
        if (sym.isEmpty() || !sym.matches("[\\w.]+")) {
            throw new IllegalArgumentException("expected a symbol in '(" + clip(s) + ")'");
        }
        return sym;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + clip(s) + "' is not a number");
        }
    }

    /** A kprobe argument value: 0x hex (x64/x32 types), or signed/unsigned decimal. */
    public static long value(String v, String what) {
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            if (v.startsWith("-")) {
                return Long.parseLong(v);
            }
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + clip(v) + "' is not a number (expected 0x... or decimal)");
        }
    }
}
