package dev.kquorum.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The checker on histories whose verdict is known, so that it is seen to fail as well as pass. */
class LinearizabilityCheckerTest {

    private final List<HistoryOp> history = new ArrayList<>();

    private void write(String value, long from, long to) {
        history.add(new HistoryOp(history.size(), "c", "x", true, value, null, from, to));
    }

    private void read(String seen, long from, long to) {
        history.add(new HistoryOp(history.size(), "c", "x", false, seen, null, from, to));
    }

    private boolean linearizable() {
        return LinearizabilityChecker.firstViolation(history) == null;
    }

    @Test
    void aReadAfterAWriteSeesIt() {
        write("1", 0, 10);
        read("1", 20, 30);
        assertThat(linearizable()).isTrue();
    }

    @Test
    void theStaleReadOfDdia() {
        // Kleppmann, Designing Data-Intensive Applications, §9 (fig. 9-1): the write has
        // completed, and a read that begins afterwards still sees the old value.
        write("1", 0, 10);
        read(null, 20, 30);
        assertThat(linearizable()).isFalse();
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        write("1", 0, 100);
        read(null, 10, 20);
        read("1", 30, 40);
        assertThat(linearizable()).isTrue();
    }

    @Test
    void butOnceOneReadHasSeenTheNewValueNoLaterReadMaySeeTheOld() {
        write("1", 0, 100);
        read("1", 10, 20);
        read(null, 30, 40);
        assertThat(linearizable()).isFalse();
    }

    @Test
    void aWriteOfUnknownOutcomeMayTakeEffectLateOrNever() {
        write("1", 0, 10);
        write("2", 20, HistoryOp.UNKNOWN);
        read("1", 30, 40);
        read("2", 50, 60);
        assertThat(linearizable()).isTrue();

        history.clear();
        write("1", 0, 10);
        write("2", 20, HistoryOp.UNKNOWN);
        read("1", 30, 40);
        assertThat(linearizable()).as("never taking effect is allowed").isTrue();

        read("2", 50, 60);
        read("1", 70, 80);
        assertThat(linearizable()).as("but not taking effect and then undoing it").isFalse();
    }

    @Test
    void concurrentWritesMustBeSeenInOneOrderByEveryone() {
        write("a", 0, 100);
        write("b", 0, 100);
        read("a", 110, 120);
        read("b", 130, 140);
        assertThat(linearizable()).as("b cannot come back after a was read, once both writes are done").isFalse();

        history.clear();
        write("a", 0, 100);
        write("b", 0, 100);
        read("a", 50, 60);
        read("b", 70, 80);
        read("b", 110, 120);
        assertThat(linearizable()).isTrue();
    }

    @Test
    void aValueNeverWrittenIsNeverLinearizable() {
        write("1", 0, 10);
        read("7", 20, 30);
        assertThat(linearizable()).isFalse();
    }

    @Test
    void keysAreCheckedApart() {
        history.add(new HistoryOp(0, "c", "x", true, "1", null, 0, 10));
        history.add(new HistoryOp(1, "c", "y", false, null, null, 20, 30));
        history.add(new HistoryOp(2, "c", "x", false, "1", null, 20, 30));
        assertThat(LinearizabilityChecker.firstViolation(history)).isNull();
        history.add(new HistoryOp(3, "c", "y", false, "1", null, 40, 50));
        assertThat(LinearizabilityChecker.firstViolation(history)).isEqualTo("y");
    }

    @Test
    void aLongSequentialHistoryIsCheckedQuickly() {
        for (int i = 0; i < 500; i++) {
            write("v" + i, i * 10L, i * 10L + 5);
            read("v" + i, i * 10L + 6, i * 10L + 8);
        }
        assertThat(linearizable()).isTrue();
    }
}
