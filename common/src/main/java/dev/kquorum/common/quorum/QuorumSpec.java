package dev.kquorum.common.quorum;

/**
 * N replicas, W acks for a write, R replies for a read, all checked: {@code 1 <= W, R <= N}.
 */
public record QuorumSpec(int n, int w, int r) {

    public QuorumSpec {
        if (n < 1) {
            throw new InvalidQuorumException("a replica group needs at least 1 replica, got " + n);
        }
        check("write", w, n);
        check("read", r, n);
    }

    private static void check(String what, int needed, int n) {
        if (needed < 1) {
            throw new InvalidQuorumException(what + " quorum must be at least 1, got " + needed);
        }
        if (needed > n) {
            throw new InvalidQuorumException(what + " quorum " + needed + " exceeds the " + n + " replicas");
        }
    }

    /** Resolves the requested levels against {@code n} replicas. */
    public static QuorumSpec of(int n, Consistency write, Consistency read) {
        return new QuorumSpec(n, write.resolve(n), read.resolve(n));
    }

    /** QUORUM for both: N/2+1. */
    public static QuorumSpec majority(int n) {
        return of(n, Consistency.QUORUM, Consistency.QUORUM);
    }

    /** True when every read quorum meets every write quorum, so a read sees the last acknowledged write. */
    public boolean overlapping() {
        return r + w > n;
    }

    /**
     * Linearizable (ABD) operations need read and write quorums that intersect, and write
     * quorums that intersect each other.
     */
    public QuorumSpec requireLinearizable() {
        if (2 * w <= n) {
            throw new InvalidQuorumException("linearizable mode needs a write quorum above half of the "
                    + n + " replicas (W >= " + (n / 2 + 1) + "), got W=" + w);
        }
        if (!overlapping()) {
            throw new InvalidQuorumException("linearizable mode needs R + W > N, got R=" + r + ", W=" + w + ", N=" + n);
        }
        return this;
    }

    @Override
    public String toString() {
        return "N=" + n + ",W=" + w + ",R=" + r;
    }
}
