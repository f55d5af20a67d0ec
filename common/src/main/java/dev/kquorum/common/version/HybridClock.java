package dev.kquorum.common.version;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps follow physical time when it moves,
 * and never go backwards or repeat even when it does not, and are pushed past every timestamp
 * observed from elsewhere. A coordinator whose wall clock lags still mints versions above any it
 * has seen, but never follows one beyond its own clock plus the {@link MaxClockOffset}: such a
 * timestamp is ignored, so the clock stays near physical time and cannot run out of range.
 *
 * <p>Physical time is an argument, not read here: the caller's one time input drives it, so a
 * simulation or a test controls it fully.
 */
public final class HybridClock {

    static final int LOGICAL_BITS = 16;
    static final int MAX_LOGICAL = (1 << LOGICAL_BITS) - 1;
    static final long MAX_PHYSICAL = (1L << (63 - LOGICAL_BITS)) - 1;

    private final MaxClockOffset maxOffset;
    private long last;

    public HybridClock(MaxClockOffset maxOffset) {
        this.maxOffset = maxOffset;
    }

    /** A timestamp greater than every one this clock has issued or adopted, at physical time {@code nowMs}. */
    public synchronized long now(long nowMs) {
        long wall = pack(Math.max(0, nowMs), 0);
        last = Math.max(wall, last + 1);
        return last;
    }

    /**
     * Makes every later {@link #now} exceed {@code timestamp}, unless it is beyond this clock's
     * physical time plus the max offset: then it is ignored, and false says so.
     */
    public synchronized boolean observe(long timestamp, long nowMs) {
        if (timestamp > maxOffset.ceiling(nowMs)) {
            return false;
        }
        last = Math.max(last, timestamp);
        return true;
    }

    public MaxClockOffset maxOffset() {
        return maxOffset;
    }

    public static long pack(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL) {
            throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
        }
        return (physicalMillis << LOGICAL_BITS) | (logical & MAX_LOGICAL);
    }

    static long physical(long timestamp) {
        return timestamp >>> LOGICAL_BITS;
    }

    static int logical(long timestamp) {
        return (int) (timestamp & MAX_LOGICAL);
    }
}
