package org.ptlab.kernel;

/**
 * A modelled {@code BUG_ON()} / {@code BUG()}: the real kernel would have crashed here (for
 * example a live entry rewritten in a way {@code pgattr_change_is_safe()} forbids, or a leaf
 * written under an existing block).
 */
public final class KernelBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelBug(String message) {
        super(message);
    }
}
