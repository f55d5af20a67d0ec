package dev.kquorum.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.kquorum.history.HistoryOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a real run (a process killed, a broker restarted, ...) on the workload's clock, and
 * for each, the longest time no operation was answered until the next step: how long a fault
 * stopped answers, for docs/benchmarks.md.
 */
final class StepTimeline {

    private static final Logger log = LoggerFactory.getLogger(StepTimeline.class);

    private final LongSupplier clock;
    private final Map<String, Long> steps = new LinkedHashMap<>();

    /** @param clock the workload's elapsed nanoseconds, the clock its history is dated by */
    StepTimeline(LongSupplier clock) {
        this.clock = clock;
    }

    void step(String what) {
        steps.put(what, clock.getAsLong());
        log.info("step: {}", what);
    }

    /**
     * For each step, the longest time in ms between two consecutive answers from it until the next
     * step, the step itself counting as the first; in a step without answers, the time until the
     * first answer after it.
     */
    Map<String, Long> gapsMs(List<HistoryOp> history) {
        List<Long> answered = new ArrayList<>();
        for (HistoryOp op : history) {
            if (op.completed()) {
                answered.add(op.completedAt());
            }
        }
        answered.sort(Long::compare);
        List<Map.Entry<String, Long>> timeline = new ArrayList<>(steps.entrySet());
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (int i = 0; i + 1 < timeline.size(); i++) {
            long from = timeline.get(i).getValue();
            long until = timeline.get(i + 1).getValue();
            long longest = 0;
            long previous = from;
            for (long t : answered) {
                if (t >= from && (t < until || previous == from)) {
                    // An answer in this step; or, when none came in it, the first after: answers
                    // that stopped in this step and resumed only after the next count here.
                    longest = Math.max(longest, t - previous);
                    previous = t;
                }
                if (t >= until) {
                    break;
                }
            }
            if (previous != from && previous < until) {
                // Answers that stopped within the step, and did not come back before the next.
                longest = Math.max(longest, until - previous);
            }
            gaps.put(timeline.get(i).getKey(), longest / 1_000_000);
        }
        return gaps;
    }

    /** The gaps, a line a step, with how long each step took. */
    String report(List<HistoryOp> history) {
        Map<String, Long> gaps = gapsMs(history);
        List<Map.Entry<String, Long>> timeline = new ArrayList<>(steps.entrySet());
        StringBuilder report = new StringBuilder();
        for (int i = 0; i + 1 < timeline.size(); i++) {
            String step = timeline.get(i).getKey();
            report.append(String.format("  %-75s %6d ms (step took %d ms)%n", step, gaps.get(step),
                    (timeline.get(i + 1).getValue() - timeline.get(i).getValue()) / 1_000_000));
        }
        return report.toString();
    }
}
