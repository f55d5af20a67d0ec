package dev.kquorum.common.version;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HybridClockTest {

    private final HybridClock clock = new HybridClock(MaxClockOffset.DEFAULT);

    @Test
    void followsPhysicalTimeWhenItMoves() {
        long first = clock.now(1_000);
        long second = clock.now(2_000);
        assertThat(HybridClock.physical(first)).isEqualTo(1_000);
        assertThat(HybridClock.physical(second)).isEqualTo(2_000);
        assertThat(HybridClock.logical(second)).isZero();
    }

    @Test
    void countsLogicallyWhenPhysicalTimeStandsStillOrGoesBack() {
        long a = clock.now(5_000);
        long b = clock.now(5_000);
        long c = clock.now(4_000);
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(HybridClock.physical(c)).isEqualTo(5_000);
        assertThat(HybridClock.logical(c)).isEqualTo(2);
    }

    @Test
    void observedTimestampsWithinTheMaxOffsetPushTheClockPastThem() {
        long slightlyAhead = HybridClock.pack(1_400, 7);
        assertThat(clock.observe(slightlyAhead, 1_000)).isTrue();
        assertThat(clock.now(1_000)).isGreaterThan(slightlyAhead);
    }

    @Test
    void aTimestampBeyondTheMaxOffsetIsIgnored() {
        long farAhead = HybridClock.pack(9_000, 0);
        assertThat(clock.observe(farAhead, 1_000)).isFalse();
        assertThat(HybridClock.physical(clock.now(1_000))).isEqualTo(1_000);
    }

    /** The largest version there is, observed: the clock neither wraps nor adopts it. */
    @Test
    void aFarFutureTimestampCannotOverflowTheClock() {
        clock.observe(Long.MAX_VALUE - 1, 1_000);
        long next = clock.now(1_000);
        assertThat(next).isPositive();
        assertThat(HybridClock.physical(next)).isLessThan(1_000 + 60_000);
    }

    @Property
    void neverRepeatsOrGoesBackwards(@ForAll @LongRange(min = 0, max = 1L << 40) long start,
                                     @ForAll @LongRange(min = -1000, max = 1000) long drift,
                                     @ForAll @LongRange(min = -400, max = 400) long observedOffset) {
        HybridClock hlc = new HybridClock(MaxClockOffset.DEFAULT);
        long wall = start;
        long previous = hlc.now(wall);
        long observed = HybridClock.pack(Math.max(0, start + observedOffset), 0);
        for (int i = 0; i < 50; i++) {
            wall = Math.max(0, wall + (i % 3 == 0 ? drift : 1));
            if (i == 25) {
                hlc.observe(observed, Math.max(wall, start));
            }
            long next = hlc.now(wall);
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
        assertThat(previous).isGreaterThan(observed);
    }
}
