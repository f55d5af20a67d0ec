package dev.kquorum.history;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Is a history of a key-value register linearizable? The search of Wing and Gong with Lowe's
 * memoization, as Knossos and Porcupine do it: take the calls in time order; try to linearize an
 * operation whose call has been reached; backtrack when a return is reached whose operation has
 * not been linearized. States already explored (which operations are linearized, and the
 * register's value) are cached. Keys are independent registers, so each is checked on its own.
 *
 * <p>A write of unknown outcome ({@link HistoryOp#UNKNOWN}) may be linearized anywhere after its
 * invocation, or left out. On a violation, {@link #smallestFailingSubHistory} shrinks the failing
 * key's history to a few operations that are still not linearizable.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {
    }

    /** The first key whose history is not linearizable, or null when all are. */
    public static String firstViolation(List<HistoryOp> history) {
        for (Map.Entry<String, List<HistoryOp>> key : byKey(history).entrySet()) {
            if (!linearizable(key.getValue())) {
                return key.getKey();
            }
        }
        return null;
    }

    /**
     * The smallest sub-history of the first failing key that is still not linearizable, found by
     * dropping operations while it still fails ({@link Shrinker}); empty when the history is
     * linearizable. Every operation left is needed: dropping any one makes the rest linearizable
     * (unless the time budget ran out first).
     */
    public static List<HistoryOp> smallestFailingSubHistory(List<HistoryOp> history) {
        String key = firstViolation(history);
        if (key == null) {
            return List.of();
        }
        return Shrinker.shrink(byKey(history).get(key), ops -> !linearizable(ops));
    }

    /** The operations of each key, in the order of the history; keys in the order first seen. */
    static Map<String, List<HistoryOp>> byKey(List<HistoryOp> history) {
        Map<String, List<HistoryOp>> byKey = new LinkedHashMap<>();
        for (HistoryOp op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        return byKey;
    }

    /** One linked-list node: the call or the return of operation {@code op}. */
    private static final class Entry {
        final HistoryOp op;
        final int index;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(HistoryOp op, int index, boolean call, long time) {
            this.op = op;
            this.index = index;
            this.call = call;
            this.time = time;
        }
    }

    private record Memo(BitSet linearized, String state) {
    }

    /** Whether the history of one key (every operation on the same key) is linearizable. */
    public static boolean linearizable(List<HistoryOp> ops) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            HistoryOp op = ops.get(i);
            Entry call = new Entry(op, i, true, op.invokedAt());
            Entry ret = new Entry(op, i, false, op.completedAt());
            call.match = ret;
            entries.add(call);
            entries.add(ret);
        }
        // Calls before returns at the same instant: operations that touch are concurrent.
        entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> !e.call));
        Entry head = new Entry(null, -1, false, Long.MIN_VALUE);
        Entry tail = head;
        for (Entry e : entries) {
            tail.next = e;
            e.prev = tail;
            tail = e;
        }

        String state = null;
        BitSet linearized = new BitSet(ops.size());
        Set<Memo> seen = new HashSet<>();
        List<Entry> stack = new ArrayList<>();
        List<String> states = new ArrayList<>();
        Entry entry = head.next;
        while (head.next != null) {
            if (entry == null) {
                return false;
            }
            if (entry.call) {
                HistoryOp op = entry.op;
                String next = op.write() ? op.value() : state;
                boolean legal = op.write() || Objects.equals(op.value(), state);
                if (legal) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(entry.index);
                    if (seen.add(new Memo(with, next))) {
                        stack.add(entry);
                        states.add(state);
                        state = next;
                        linearized = with;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                // A return whose operation is not linearized yet: undo the last choice.
                if (stack.isEmpty()) {
                    return false;
                }
                Entry undone = stack.remove(stack.size() - 1);
                state = states.remove(states.size() - 1);
                // A fresh set: the one in hand is also a key of the memo.
                linearized = (BitSet) linearized.clone();
                linearized.clear(undone.index);
                unlift(undone);
                entry = undone.next;
            }
        }
        return true;
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
