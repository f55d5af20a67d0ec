package dev.kquorum.common.quorum;

import java.util.Locale;

/**
 * How many replicas an operation needs, as the user asked for it: a named level ({@code ONE},
 * {@code QUORUM}, {@code ALL}) or an explicit number. It becomes a number only once the replica
 * count is known ({@link #resolve(int)}).
 */
public record Consistency(Level level, int count) {

    public enum Level { ONE, QUORUM, ALL, COUNT }

    public static final Consistency ONE = new Consistency(Level.ONE, 0);
    public static final Consistency QUORUM = new Consistency(Level.QUORUM, 0);
    public static final Consistency ALL = new Consistency(Level.ALL, 0);

    public Consistency {
        if (level == null) {
            throw new IllegalArgumentException("level is required");
        }
        if (level == Level.COUNT && count < 1) {
            throw new InvalidQuorumException("a replica count must be at least 1, got " + count);
        }
    }

    public static Consistency count(int n) {
        return new Consistency(Level.COUNT, n);
    }

    /**
     * Parses {@code ONE}, {@code QUORUM}, {@code ALL} (any case) or a positive whole number.
     *
     * @throws InvalidQuorumException naming the text and what is allowed
     */
    public static Consistency parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidQuorumException("expected ONE, QUORUM, ALL or a number of replicas, got nothing");
        }
        String t = text.trim();
        switch (t.toUpperCase(Locale.ROOT)) {
            case "ONE":
                return ONE;
            case "QUORUM":
                return QUORUM;
            case "ALL":
                return ALL;
            default:
                break;
        }
        try {
            return count(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new InvalidQuorumException("expected ONE, QUORUM, ALL or a number of replicas, got '" + text + "'");
        }
    }

    /** The number of replicas this means among {@code n}; not yet checked against {@code n}. */
    public int resolve(int n) {
        return switch (level) {
            case ONE -> 1;
            case QUORUM -> n / 2 + 1;
            case ALL -> n;
            case COUNT -> count;
        };
    }

    @Override
    public String toString() {
        return level == Level.COUNT ? Integer.toString(count) : level.name();
    }
}
