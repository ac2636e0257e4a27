package org.ptlab.sweep;

/**
 * What the command line says about the engine.
 *
 * @param master the engine's master URL (spark: local[N], local[*], spark://HOST:PORT), or null
 * @param threads local threads (0: one per available processor)
 */
public record EngineSettings(String master, int threads) {}
