package dev.kquorum.common.version;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps follow physical time when it moves,
 * and never go backwards or repeat even when it does not, and are pushed past every timestamp
 * observed from elsewhere. A coordinator whose wall clock lags still mints versions above any it
 * has seen.
 *
 * <p>The physical time source is injected, so simulations drive the clock themselves.
 */
public final class HybridClock {

    static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final LongSupplier physicalMillis;
    private long last;

    public HybridClock(LongSupplier physicalMillis) {
        this.physicalMillis = physicalMillis;
    }

    public static HybridClock system() {
        return new HybridClock(System::currentTimeMillis);
    }

    /** A timestamp greater than every one this clock has issued or observed. */
    public synchronized long now() {
        long wall = pack(physicalMillis.getAsLong(), 0);
        last = Math.max(wall, last + 1);
        return last;
    }

    /** Makes every later {@link #now()} exceed {@code timestamp}. */
    public synchronized void observe(long timestamp) {
        last = Math.max(last, timestamp);
    }

    public static long pack(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis >= (1L << (63 - LOGICAL_BITS))) {
            throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
        }
        return (physicalMillis << LOGICAL_BITS) | (logical & LOGICAL_MASK);
    }

    static long physical(long timestamp) {
        return timestamp >>> LOGICAL_BITS;
    }

    static int logical(long timestamp) {
        return (int) (timestamp & LOGICAL_MASK);
    }
}
