package dev.kquorum.common.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HybridClockTest {

    @Test
    void followsPhysicalTimeWhenItMoves() {
        AtomicLong wall = new AtomicLong(1_000);
        HybridClock clock = new HybridClock(wall::get);
        long first = clock.now();
        wall.set(2_000);
        long second = clock.now();
        assertThat(HybridClock.physical(first)).isEqualTo(1_000);
        assertThat(HybridClock.physical(second)).isEqualTo(2_000);
        assertThat(HybridClock.logical(second)).isZero();
    }

    @Test
    void countsLogicallyWhenPhysicalTimeStandsStillOrGoesBack() {
        AtomicLong wall = new AtomicLong(5_000);
        HybridClock clock = new HybridClock(wall::get);
        long a = clock.now();
        long b = clock.now();
        wall.set(4_000);
        long c = clock.now();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(HybridClock.physical(c)).isEqualTo(5_000);
        assertThat(HybridClock.logical(c)).isEqualTo(2);
    }

    @Test
    void observedTimestampsPushTheClockPastThem() {
        HybridClock lagging = new HybridClock(() -> 1_000);
        long fromTheFuture = HybridClock.pack(9_000, 7);
        lagging.observe(fromTheFuture);
        assertThat(lagging.now()).isGreaterThan(fromTheFuture);
    }

    @Property
    void neverRepeatsOrGoesBackwards(@ForAll @LongRange(min = 0, max = 1L << 40) long start,
                                     @ForAll @LongRange(min = -1000, max = 1000) long drift,
                                     @ForAll @LongRange(min = 0, max = 1L << 40) long observed) {
        AtomicLong wall = new AtomicLong(start);
        HybridClock clock = new HybridClock(wall::get);
        long previous = clock.now();
        for (int i = 0; i < 50; i++) {
            wall.set(Math.max(0, wall.get() + (i % 3 == 0 ? drift : 1)));
            if (i == 25) {
                clock.observe(HybridClock.pack(observed, 0));
            }
            long next = clock.now();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
        assertThat(previous).isGreaterThan(HybridClock.pack(observed, 0));
    }
}
