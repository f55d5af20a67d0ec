package dev.kquorum.common.version;

/**
 * How far ahead of a host's own clock a version may be, as CockroachDB's max clock offset: clocks
 * are assumed to agree within it. A version further ahead comes from a broken clock or a stray
 * writer; workers refuse it and coordinators' clocks ignore it, so one bogus version can neither
 * poison a key for good nor drag every clock into the future (or past the end of its range).
 */
public record MaxClockOffset(long millis) {

    public static final MaxClockOffset DEFAULT = new MaxClockOffset(500);

    public MaxClockOffset {
        if (millis < 0 || millis > 3_600_000) {
            throw new IllegalArgumentException("max clock offset must be within 0..3600000 ms, got " + millis);
        }
    }

    /** The highest timestamp acceptable while the local physical clock reads {@code nowMs}. */
    public long ceiling(long nowMs) {
        return HybridClock.pack(Math.min(Math.max(0, nowMs + millis), HybridClock.MAX_PHYSICAL), HybridClock.MAX_LOGICAL);
    }

    public boolean exceededBy(Version version, long nowMs) {
        return version.timestamp() > ceiling(nowMs);
    }

    /** Why {@code version} is refused, naming the skew, for a host whose clock reads {@code nowMs}. */
    public String describe(Version version, long nowMs, String whose) {
        return "version " + version + " is " + (version.physicalMillis() - nowMs) + " ms ahead of " + whose
                + " clock (max clock offset " + millis + " ms): a clock is wrong, or a stray writer made it";
    }
}
