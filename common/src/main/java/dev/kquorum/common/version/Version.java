package dev.kquorum.common.version;

import java.util.Comparator;
import java.util.Objects;

/**
 * The version of a value: a hybrid-logical-clock timestamp and the id of the coordinator that
 * wrote it. Versions are totally ordered, timestamp first, then writer id, so two coordinators
 * can never mint equal versions for different values.
 *
 * <p>The timestamp packs physical milliseconds in its upper 48 bits and a logical counter in its
 * lower 16 ({@link HybridClock}).
 */
public record Version(long timestamp, String writerId) implements Comparable<Version> {

    private static final Comparator<Version> ORDER =
            Comparator.comparingLong(Version::timestamp).thenComparing(Version::writerId);

    public Version {
        Objects.requireNonNull(writerId, "writerId");
        if (timestamp < 0) {
            throw new IllegalArgumentException("version timestamp must not be negative: " + timestamp);
        }
    }

    public long physicalMillis() {
        return HybridClock.physical(timestamp);
    }

    public int logical() {
        return HybridClock.logical(timestamp);
    }

    public boolean isNewerThan(Version other) {
        return other == null || compareTo(other) > 0;
    }

    /** The larger of two versions, where null means "none". */
    public static Version max(Version a, Version b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Version other) {
        return ORDER.compare(this, other);
    }

    /**
     * Parses the form {@link #toString()} prints.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Version parse(String text) {
        int at = text.indexOf('@');
        int dot = text.indexOf('.');
        if (at < 0 || dot < 0 || dot > at || at == text.length() - 1) {
            throw new IllegalArgumentException("expected a version like 1764155784123.0@writer, got '" + text + "'");
        }
        try {
            long physical = Long.parseLong(text.substring(0, dot));
            int logical = Integer.parseInt(text.substring(dot + 1, at));
            if (logical < 0 || logical >= (1 << HybridClock.LOGICAL_BITS)) {
                throw new IllegalArgumentException("logical counter out of range in version '" + text + "'");
            }
            return new Version(HybridClock.pack(physical, logical), text.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a version like 1764155784123.0@writer, got '" + text + "'");
        }
    }

    /** {@code <physical ms>.<logical>@<writer>}, e.g. {@code 1764155784123.2@c1}. */
    @Override
    public String toString() {
        return physicalMillis() + "." + logical() + "@" + writerId;
    }
}
