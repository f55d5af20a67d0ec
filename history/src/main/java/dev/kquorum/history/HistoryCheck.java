package dev.kquorum.history;

import java.util.ArrayList;
import java.util.List;

import dev.kquorum.common.protocol.Mode;

/**
 * Judges a whole history by the promise of its mode: in linearizable mode the history of every
 * key must be linearizable; in quorum mode it must keep the quorum promise
 * ({@link QuorumPromiseChecker}); in both, no acknowledged write may be lost
 * ({@link LostWriteChecker}). On a violation, the verdict carries the smallest failing
 * sub-history of the first check that failed.
 */
public final class HistoryCheck {

    private HistoryCheck() {
    }

    /**
     * A verdict.
     *
     * @param problems        what is wrong, in words; empty when nothing is
     * @param smallestFailing a small sub-history that still fails; empty when nothing is wrong
     */
    public record Verdict(Mode mode, int operations, List<String> problems, List<HistoryOp> smallestFailing) {

        public Verdict {
            problems = List.copyOf(problems);
            smallestFailing = List.copyOf(smallestFailing);
        }

        public boolean passed() {
            return problems.isEmpty();
        }
    }

    /**
     * @throws IllegalArgumentException in quorum mode, when an acknowledged write or a read that
     *                                  found a value carries no version: the promise is about versions
     */
    public static Verdict check(List<HistoryOp> history, Mode mode) {
        if (mode != Mode.LINEARIZABLE) {
            for (HistoryOp op : history) {
                if (op.version() == null && op.completed() && (op.write() || op.value() != null)) {
                    throw new IllegalArgumentException("quorum mode is checked on versions, and " + op + " has none");
                }
            }
        }
        List<String> problems = new ArrayList<>();
        List<HistoryOp> smallest = List.of();
        if (mode == Mode.LINEARIZABLE) {
            String key = LinearizabilityChecker.firstViolation(history);
            if (key != null) {
                problems.add("the history of key " + key + " is not linearizable");
                smallest = LinearizabilityChecker.smallestFailingSubHistory(history);
            }
        } else {
            problems.addAll(QuorumPromiseChecker.violations(history));
            if (!problems.isEmpty()) {
                smallest = QuorumPromiseChecker.smallestFailingSubHistory(history);
            }
        }
        List<String> lost = LostWriteChecker.violations(history);
        problems.addAll(lost);
        if (smallest.isEmpty() && !lost.isEmpty()) {
            smallest = LostWriteChecker.smallestFailingSubHistory(history);
        }
        return new Verdict(mode, history.size(), problems, smallest);
    }
}
