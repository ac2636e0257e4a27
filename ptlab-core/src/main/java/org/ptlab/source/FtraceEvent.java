package org.ptlab.source;

import java.util.Map;

/**
 * One event line of an ftrace text trace.
 *
 * @param line line number in the file (1-based)
 * @param comm the task's command name
 * @param pid the task's PID (nested calls of one call are matched per PID)
 * @param cpu the CPU the event was recorded on
 * @param timestamp seconds.micros as printed
 * @param event the event's name (e.g. set_memory_ro, vmalloc_ret, module_load)
 * @param function the kernel function probed (for a return probe the function returning), or the
 *     tracepoint's name
 * @param isReturn whether this is a return probe (kretprobe)
 * @param args the name=value arguments as printed; a tracepoint's text is under "text"
 */
public record FtraceEvent(int line, String comm, int pid, int cpu, String timestamp, String event, String function,
        boolean isReturn, Map<String, String> args) {

    /** A numeric argument; IllegalArgumentException "LINE: EVENT needs NAME=" when absent. */
    public long arg(String file, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException(file + ":" + line + ": " + function + (isReturn ? " return" : "")
                    + " needs the argument " + name + "= (see docs/traces.md for the kprobe_events lines)");
        }
        try {
            return FtraceParser.value(v, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ":" + line + ": " + e.getMessage());
        }
    }

    /** The first argument present among names (kprobe arguments are named by the user). */
    public long argAny(String file, String... names) {
        for (String n : names) {
            if (args.containsKey(n)) {
                return arg(file, n);
            }
        }
        return arg(file, names[0]);
    }
}
