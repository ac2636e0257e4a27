package org.ptlab.ops;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.kernel.Kernel;

/**
 * One call the model offers, declared once in {@link Ops}: the kernel function's name, the family
 * it belongs to, its arguments, one line of help naming what it models, and how it applies to a
 * booted machine. {@link #apply} returns what the kernel function returns: 0 or a negative errno
 * ({@link org.ptlab.kernel.Errno}), or a count for the calls that return one (collapse_scan).
 */
public record Op(String name, String family, List<Param> params, String help, Call call) {
    /** How the call applies to a booted kernel, with every argument resolved to a long. */
    @FunctionalInterface
    public interface Call {
        long apply(Kernel k, long[] args);
    }

    public Op {
        params = List.copyOf(params);
    }

    /** Parameters that must be given. */
    public int required() {
        int n = 0;
        for (Param p : params) {
            n += p.optional() ? 0 : 1;
        }
        return n;
    }

    /**
     * Apply the call to a booted kernel; args in the order of {@link #params}, trailing optional
     * ones may be left out (their defaults are passed).
     */
    public long apply(Kernel k, long... args) {
        if (args.length < required() || args.length > params.size()) {
            throw new IllegalArgumentException(name + ": expected " + required() + (required() == params.size() ? "" : " to " + params.size())
                    + " arguments (" + usage() + "), got " + args.length);
        }
        long[] a = args;
        if (args.length < params.size()) {
            a = java.util.Arrays.copyOf(args, params.size());
            for (int i = args.length; i < a.length; i++) {
                a[i] = params.get(i).dflt();
            }
        }
        return call.apply(k, a);
    }

    /** As {@link #apply}, for the calls returning an int errno. */
    public int errno(Kernel k, long... args) {
        return (int) apply(k, args);
    }

    /** "name ARG [ARG]" */
    public String usage() {
        List<String> s = new ArrayList<>();
        s.add(name);
        for (Param p : params) {
            s.add(p.label());
        }
        return String.join(" ", s);
    }
}
