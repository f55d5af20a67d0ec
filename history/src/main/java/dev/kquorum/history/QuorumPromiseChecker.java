package dev.kquorum.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kquorum.common.version.Version;

/**
 * The promise of quorum mode (R + W > N, W > N/2), as docs and DESIGN §1 state it:
 * <ol>
 *   <li>every read returns a value that was written (or nothing), with a version no lower than
 *   that of any write acknowledged before the read began;</li>
 *   <li>no acknowledged write is superseded by one that was acknowledged before it began;</li>
 *   <li>a version names one write: no two acknowledged writes of a key carry the same version with
 *   different values, and a read that returns an acknowledged write's version returns its value.
 *   Two writes answered at one version are one write answered twice, the other never made (a
 *   request identity reused, say, by offsets Kafka handed out again); with the two concurrent,
 *   the checks above cannot see it.</li>
 * </ol>
 * Weaker than linearizability (two reads concurrent with a write may disagree), and exactly
 * what last-write-wins stores lose under clock skew. Reads and acknowledged writes must carry the
 * version their answer gave.
 *
 * <p>On a violation, {@link #smallestFailingSubHistory} shrinks the failing key's history to a
 * few operations that still break the promise.
 */
public final class QuorumPromiseChecker {

    private QuorumPromiseChecker() {
    }

    /** Every broken promise, in words; empty when the history keeps both. */
    public static List<String> violations(List<HistoryOp> history) {
        List<String> problems = new ArrayList<>();
        Map<String, List<HistoryOp>> acknowledgedWrites = new HashMap<>();
        Map<String, List<String>> writtenValues = new HashMap<>();
        for (HistoryOp op : history) {
            if (op.write()) {
                writtenValues.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op.value());
                if (op.completed()) {
                    acknowledgedWrites.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
                }
            }
        }
        for (HistoryOp read : history) {
            if (read.write()) {
                continue;
            }
            if (read.value() != null && !writtenValues.getOrDefault(read.key(), List.of()).contains(read.value())) {
                problems.add(read + " returned a value nobody wrote");
            }
            for (HistoryOp w : acknowledgedWrites.getOrDefault(read.key(), List.of())) {
                if (w.precedes(read) && (read.version() == null || read.version().compareTo(w.version()) < 0)) {
                    problems.add(read + " is older than " + w + ", acknowledged before the read began");
                }
            }
        }
        problems.addAll(versionsNamingTwoWrites(history, acknowledgedWrites));
        for (List<HistoryOp> writes : acknowledgedWrites.values()) {
            for (HistoryOp later : writes) {
                for (HistoryOp earlier : writes) {
                    if (earlier.precedes(later) && later.version().compareTo(earlier.version()) <= 0) {
                        problems.add(later + " is superseded by " + earlier + ", acknowledged before it began");
                    }
                }
            }
        }
        return problems;
    }

    private static List<String> versionsNamingTwoWrites(List<HistoryOp> history, Map<String, List<HistoryOp>> acknowledgedWrites) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<Version, HistoryOp>> byVersion = new HashMap<>();
        acknowledgedWrites.forEach((key, writes) -> {
            Map<Version, HistoryOp> versions = byVersion.computeIfAbsent(key, k -> new HashMap<>());
            for (HistoryOp w : writes) {
                HistoryOp first = versions.putIfAbsent(w.version(), w);
                if (first != null && !Objects.equals(first.value(), w.value())) {
                    problems.add(w + " and " + first + " were both acknowledged at version " + w.version()
                            + " with different values: one of them was never written");
                }
            }
        });
        for (HistoryOp read : history) {
            if (read.write() || read.version() == null) {
                continue;
            }
            HistoryOp w = byVersion.getOrDefault(read.key(), Map.of()).get(read.version());
            if (w != null && !Objects.equals(w.value(), read.value())) {
                problems.add(read + " returned another value at the version of " + w);
            }
        }
        return problems;
    }

    /**
     * The smallest sub-history of the first key with a broken promise that still breaks it, reads
     * kept with the writes they saw ({@link Shrinker}); empty when the history keeps the promise.
     */
    public static List<HistoryOp> smallestFailingSubHistory(List<HistoryOp> history) {
        for (List<HistoryOp> ops : LinearizabilityChecker.byKey(history).values()) {
            if (!violations(ops).isEmpty()) {
                return Shrinker.shrink(ops, sub -> !violations(sub).isEmpty());
            }
        }
        return List.of();
    }
}
