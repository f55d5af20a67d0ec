package dev.kquorum.cli.verify;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import dev.kquorum.common.protocol.Mode;
import dev.kquorum.history.HistoryCheck;
import dev.kquorum.history.HistoryOp;

/** What {@code kquorum verify} prints: the run's counts, and the verdict. */
public final class VerdictReport {

    /** The first word of the verdict line, for people and scripts. */
    public static final String PASS_LINE = "VERDICT: PASS";
    public static final String FAIL_LINE = "VERDICT: FAIL";

    private static final int MAX_PROBLEMS = 10;

    private VerdictReport() {
    }

    /** @param killed what was SIGKILLed, e.g. "2 workers", or null for no faults */
    public static String counts(Workload w, double seconds, String killed) {
        int ops = w.writesAcked.get() + w.writesUnknown.get() + w.readsAnswered.get() + w.readsDropped.get()
                + w.overloaded.get() + w.invalid.get();
        return String.format(Locale.ROOT, "ran %.1f s: %d operations (%.0f/s): %d writes acknowledged, %d of unknown outcome;"
                        + " %d reads answered, %d unanswered; %d OVERLOADED, %d INVALID%s%s%s",
                seconds, ops, ops / Math.max(0.001, seconds), w.writesAcked.get(), w.writesUnknown.get(), w.readsAnswered.get(),
                w.readsDropped.get(), w.overloaded.get(), w.invalid.get(),
                w.firstInvalid.get() == null ? "" : " (first: " + w.firstInvalid.get() + ")",
                w.requestsNotTaken.get() == 0 ? "" : "; Kafka did not take " + w.requestsNotTaken.get() + " requests in time",
                killed == null ? "" : "; " + killed + " SIGKILLed");
    }

    public static void print(PrintWriter out, HistoryCheck.Verdict verdict) {
        String promise = verdict.mode() == Mode.LINEARIZABLE ? "every key's history is linearizable"
                : "the quorum promise holds";
        if (verdict.passed()) {
            out.println(PASS_LINE + ": no violation in " + verdict.operations() + " operations: " + promise
                    + ", and no acknowledged write was lost.");
            out.flush();
            return;
        }
        List<String> problems = verdict.problems();
        out.println(FAIL_LINE + ": " + problems.size() + " violation" + (problems.size() == 1 ? "" : "s") + " in "
                + verdict.operations() + " operations (" + verdict.mode().wireName() + " mode):");
        problems.stream().limit(MAX_PROBLEMS).forEach(p -> out.println("  - " + p));
        if (problems.size() > MAX_PROBLEMS) {
            out.println("  ... and " + (problems.size() - MAX_PROBLEMS) + " more");
        }
        List<HistoryOp> smallest = verdict.smallestFailing();
        out.println("Smallest failing sub-history (" + smallest.size() + " operations; times in ms from the start;"
                + " '?' = outcome unknown):");
        for (HistoryOp op : smallest) {
            out.println("  " + describe(op));
        }
        out.flush();
    }

    static String describe(HistoryOp op) {
        String what = op.write() ? "write " + op.key() + " = " + (op.value() == null ? "(delete)" : op.value())
                : "read  " + op.key() + " -> " + (op.value() == null ? "(not found)" : op.value());
        return String.format(Locale.ROOT, "#%-6d %-10s %s%s  [%s, %s]", op.id(), op.client(), what,
                op.version() == null ? "" : " @" + op.version(), ms(op.invokedAt()), op.completed() ? ms(op.completedAt()) : "?");
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
