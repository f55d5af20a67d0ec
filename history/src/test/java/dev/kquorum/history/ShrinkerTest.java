package dev.kquorum.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.version.Version;
import org.junit.jupiter.api.Test;

/** On histories known to be bad, the shrunk history still fails, and is small. */
class ShrinkerTest {

    private final List<HistoryOp> history = new ArrayList<>();
    private long version = 1;

    private HistoryOp write(String key, String value, long from, long to) {
        HistoryOp op = new HistoryOp(history.size(), "w", key, true, value, new Version(version++, "c1"), from, to);
        history.add(op);
        return op;
    }

    private HistoryOp read(String key, String seen, Version v, long from, long to) {
        HistoryOp op = new HistoryOp(history.size(), "r", key, false, seen, v, from, to);
        history.add(op);
        return op;
    }

    /** A long, clean sequential history on several keys: each write read back at once. */
    private void noise(int rounds, long from) {
        for (int i = 0; i < rounds; i++) {
            long t = from + i * 10L;
            String key = "k" + (i % 5);
            HistoryOp w = write(key, key + "-" + i, t, t + 4);
            read(key, w.value(), w.version(), t + 5, t + 8);
        }
    }

    @Test
    void aStaleReadInALongHistoryShrinksToTheWriteItMissesAndTheWriteItSaw() {
        noise(200, 0);
        HistoryOp old = write("x", "old", 5_000, 5_010);
        HistoryOp newer = write("x", "new", 5_020, 5_030);
        noise(200, 6_000);
        HistoryOp stale = read("x", "old", old.version(), 10_000, 10_010);
        noise(100, 11_000);

        assertThat(LinearizabilityChecker.firstViolation(history)).isEqualTo("x");
        List<HistoryOp> smallest = LinearizabilityChecker.smallestFailingSubHistory(history);
        assertThat(LinearizabilityChecker.linearizable(smallest)).isFalse();
        assertThat(smallest).containsExactly(old, newer, stale);

        assertThat(QuorumPromiseChecker.violations(history)).hasSize(1);
        List<HistoryOp> quorumSmallest = QuorumPromiseChecker.smallestFailingSubHistory(history);
        assertThat(QuorumPromiseChecker.violations(quorumSmallest)).isNotEmpty();
        assertThat(quorumSmallest).containsExactly(old, newer, stale);
    }

    @Test
    void aReadMustNotBeShrunkAwayFromTheWriteItSaw() {
        // Without its write, any read of a value would fail alone ("a value nobody wrote"), which
        // says nothing: a read stays with its source.
        HistoryOp w1 = write("x", "1", 0, 10);
        HistoryOp r1 = read("x", "1", w1.version(), 20, 30);
        HistoryOp r2 = read("x", null, null, 40, 50);
        noise(50, 100);
        List<HistoryOp> smallest = LinearizabilityChecker.smallestFailingSubHistory(history);
        assertThat(smallest).containsExactly(w1, r2);
        assertThat(smallest).doesNotContain(r1);
    }

    @Test
    void aLostWriteShrinksToTheWriteAndTheFinalRead() {
        noise(100, 0);
        HistoryOp acked = write("k1", "precious", 2_000, 2_010);
        HistoryOp before = history.stream().filter(op -> op.write() && op.key().equals("k1") && op != acked)
                .reduce((a, b) -> b).orElseThrow();
        HistoryOp finalRead = new HistoryOp(history.size(), LostWriteChecker.FINAL_READER, "k1", false, before.value(),
                before.version(), 3_000, 3_010);
        history.add(finalRead);

        assertThat(LostWriteChecker.violations(history)).singleElement().asString().contains("lost write", "precious");
        assertThat(LostWriteChecker.smallestFailingSubHistory(history)).containsExactlyInAnyOrder(before, acked, finalRead);
        HistoryCheck.Verdict verdict = HistoryCheck.check(history, Mode.QUORUM);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.smallestFailing()).hasSizeLessThanOrEqualTo(3);
        assertThat(QuorumPromiseChecker.violations(verdict.smallestFailing())).isNotEmpty();
    }

    @Test
    void aCleanHistoryHasNoFailingSubHistory() {
        noise(300, 0);
        assertThat(LinearizabilityChecker.smallestFailingSubHistory(history)).isEmpty();
        assertThat(QuorumPromiseChecker.smallestFailingSubHistory(history)).isEmpty();
        HistoryCheck.Verdict verdict = HistoryCheck.check(history, Mode.LINEARIZABLE);
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.smallestFailing()).isEmpty();
    }

    @Test
    void theGenericShrinkIsOneMinimal() {
        // Fails while it holds both 3 and 7.
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            numbers.add(i);
        }
        List<Integer> smallest = Shrinker.shrink(numbers, l -> l.contains(3) && l.contains(7), l -> l, Shrinker.DEFAULT_BUDGET);
        assertThat(smallest).containsExactly(3, 7);
    }
}
