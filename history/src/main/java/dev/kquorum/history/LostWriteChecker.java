package dev.kquorum.history;

import java.util.ArrayList;
import java.util.List;

/**
 * No acknowledged write is lost: at the end of a run, when every key is read once more from all
 * replicas (R = ALL) by the client {@link #FINAL_READER}, each key's final read holds a version
 * no lower than the newest acknowledged write of that key that completed before it began.
 * Histories without final reads pass trivially.
 */
public final class LostWriteChecker {

    /** The client name of the final reads. */
    public static final String FINAL_READER = "final-read";

    private LostWriteChecker() {
    }

    /** Every lost write, in words; empty when none is lost. */
    public static List<String> violations(List<HistoryOp> history) {
        List<String> problems = new ArrayList<>();
        for (HistoryOp read : finalReads(history)) {
            HistoryOp newest = newestAcknowledgedBefore(history, read);
            if (newest != null && (read.version() == null || read.version().compareTo(newest.version()) < 0)) {
                problems.add("lost write: " + newest + " was acknowledged, but the final read with R=ALL found "
                        + (read.value() == null ? "nothing" : read.value() + " @" + read.version()) + " (" + read + ")");
            }
        }
        return problems;
    }

    /**
     * For the first lost write: the final read, the acknowledged write it misses, and the writes
     * of the value it saw; empty when none is lost.
     */
    public static List<HistoryOp> smallestFailingSubHistory(List<HistoryOp> history) {
        for (HistoryOp read : finalReads(history)) {
            HistoryOp newest = newestAcknowledgedBefore(history, read);
            if (newest != null && (read.version() == null || read.version().compareTo(newest.version()) < 0)) {
                return Shrinker.withSources(history).apply(List.of(newest, read));
            }
        }
        return List.of();
    }

    private static List<HistoryOp> finalReads(List<HistoryOp> history) {
        return history.stream().filter(op -> !op.write() && FINAL_READER.equals(op.client())).toList();
    }

    private static HistoryOp newestAcknowledgedBefore(List<HistoryOp> history, HistoryOp read) {
        HistoryOp newest = null;
        for (HistoryOp op : history) {
            if (op.write() && op.completed() && op.version() != null && op.key().equals(read.key()) && op.precedes(read)
                    && (newest == null || op.version().compareTo(newest.version()) > 0)) {
                newest = op;
            }
        }
        return newest;
    }
}
