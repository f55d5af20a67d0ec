package dev.kquorum.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.kquorum.common.version.Version;
import org.junit.jupiter.api.Test;

class QuorumPromiseCheckerTest {

    private static final Version V1 = new Version(1, "req~a");
    private static final Version V2 = new Version(2, "req~b");

    private static HistoryOp write(int id, String value, Version v, long from, long to) {
        return new HistoryOp(id, "c" + id, "k", true, value, v, from, to);
    }

    private static HistoryOp read(int id, String value, Version v, long from, long to) {
        return new HistoryOp(id, "r", "k", false, value, v, from, to);
    }

    @Test
    void twoConcurrentWritesAnsweredAtOneVersionAreCaught() {
        // B's request was taken for A's (its identity reused) and answered with A's version: B was
        // never written, and every read shows A. Concurrent, so no earlier check sees it.
        List<HistoryOp> history = List.of(write(1, "A", V1, 0, 10), write(2, "B", V1, 5, 12), read(3, "A", V1, 20, 30));
        assertThat(QuorumPromiseChecker.violations(history))
                .containsExactly("#2 c2 write k=B @0.1@req~a [5, 12] and #1 c1 write k=A @0.1@req~a [0, 10] were both acknowledged"
                        + " at version 0.1@req~a with different values: one of them was never written");
        assertThat(HistoryCheck.check(history, dev.kquorum.common.protocol.Mode.QUORUM).passed()).isFalse();
    }

    @Test
    void aReadOfAnotherValueAtAnAcknowledgedWritesVersionIsCaught() {
        // A's outcome is unknown (no answer); B is answered OK at A's version; reads find A there.
        HistoryOp unknownA = new HistoryOp(1, "c1", "k", true, "A", null, 0, HistoryOp.UNKNOWN);
        List<HistoryOp> history = List.of(unknownA, write(2, "B", V1, 5, 12), read(3, "A", V1, 20, 30));
        assertThat(QuorumPromiseChecker.violations(history))
                .containsExactly("#3 r read k=A @0.1@req~a [20, 30] returned another value at the version of"
                        + " #2 c2 write k=B @0.1@req~a [5, 12]");
    }

    @Test
    void aRetryAnsweredAgainAtItsVersionAndDistinctWritesPass() {
        List<HistoryOp> history = List.of(write(1, "A", V1, 0, 10), write(2, "A", V1, 5, 12), write(3, "B", V2, 15, 20),
                read(4, "B", V2, 25, 30), read(5, "A", V1, 11, 14));
        assertThat(QuorumPromiseChecker.violations(history)).isEmpty();
    }
}
