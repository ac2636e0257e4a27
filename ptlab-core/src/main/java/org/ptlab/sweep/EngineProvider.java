package org.ptlab.sweep;

/**
 * A pluggable engine, found with {@link java.util.ServiceLoader} when its jar is on the class path
 * (META-INF/services/org.ptlab.sweep.EngineProvider). ptlab-spark provides "spark".
 */
public interface EngineProvider {
    /** The name given to --engine. */
    String name();

    /**
     * Start the engine. Bad settings (a malformed or unreachable master URL) are an
     * IllegalArgumentException with a one-line message (exit status 2).
     */
    Engine open(EngineSettings settings);
}
