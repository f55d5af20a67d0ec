package dev.kquorum.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Shrinks a failing history to a small one that still fails: greedy delta debugging (Zeller's
 * ddmin, simplified). Drop chunks of half the history, then of a quarter, and so on down to single
 * operations, keeping every drop after which the history still fails; repeat single drops until
 * none is possible. The result is 1-minimal: dropping any one more operation makes it pass,
 * unless the time budget ran out first (then it is merely smaller).
 *
 * <p>A history is shrunk together with what it depends on: a read stays only with the writes of
 * the value it saw ({@link #withSources}), or every read of a non-null value would shrink to "a
 * read of a value nobody wrote", which says nothing about the real failure.
 */
public final class Shrinker {

    /** How long a shrink may take before it returns what it has. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(20);

    private Shrinker() {
    }

    /**
     * The smallest sub-history of {@code failing} (its operations in their order) that still
     * fails, reads kept with the writes they saw. Returns {@code failing} as given when it does
     * not fail at all.
     */
    public static List<HistoryOp> shrink(List<HistoryOp> failing, Predicate<List<HistoryOp>> fails) {
        return shrink(failing, fails, withSources(failing), DEFAULT_BUDGET);
    }

    /**
     * The generic form: {@code complete} adds back, to a candidate, what it cannot go without (it
     * must keep the original order); candidates are tested only in their completed form.
     */
    public static <T> List<T> shrink(List<T> failing, Predicate<List<T>> fails, UnaryOperator<List<T>> complete, Duration budget) {
        List<T> current = complete.apply(List.copyOf(failing));
        if (!fails.test(current)) {
            return List.copyOf(failing);
        }
        long deadline = System.nanoTime() + budget.toNanos();
        int chunk = Math.max(1, current.size() / 2);
        while (true) {
            boolean dropped = false;
            int start = 0;
            while (start < current.size()) {
                if (System.nanoTime() > deadline) {
                    return current;
                }
                List<T> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
                candidate = complete.apply(candidate);
                if (!candidate.isEmpty() && candidate.size() < current.size() && fails.test(candidate)) {
                    current = candidate;
                    dropped = true;
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1 && !dropped) {
                return current;
            }
            chunk = Math.max(1, Math.min(chunk / 2, current.size() / 2));
        }
    }

    /**
     * Completes a sub-history of {@code whole} with, for each read it holds, every write in
     * {@code whole} of the same key and the value the read saw; order is that of {@code whole}.
     */
    public static UnaryOperator<List<HistoryOp>> withSources(List<HistoryOp> whole) {
        Map<List<String>, List<HistoryOp>> writesOf = new HashMap<>();
        for (HistoryOp op : whole) {
            if (op.write() && op.value() != null) {
                writesOf.computeIfAbsent(List.of(op.key(), op.value()), k -> new ArrayList<>()).add(op);
            }
        }
        return sub -> {
            Set<HistoryOp> keep = Collections.newSetFromMap(new IdentityHashMap<>());
            for (HistoryOp op : sub) {
                keep.add(op);
                if (!op.write() && op.value() != null) {
                    keep.addAll(writesOf.getOrDefault(List.of(op.key(), op.value()), List.of()));
                }
            }
            List<HistoryOp> completed = new ArrayList<>(keep.size());
            for (HistoryOp op : whole) {
                if (keep.contains(op)) {
                    completed.add(op);
                }
            }
            return completed;
        };
    }
}
