package org.ptlab.user;

/**
 * A modelled oops or {@code BUG_ON()} in the user mm code: the real kernel would have crashed
 * here (for example {@code pgtable_trans_huge_withdraw()} on an empty deposit list, or
 * {@code remap_pte_range()} meeting an entry that is not none).
 */
public final class UserBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserBug(String message) {
        super(message);
    }
}
