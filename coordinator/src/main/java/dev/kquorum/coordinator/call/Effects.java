package dev.kquorum.coordinator.call;

import dev.kquorum.common.protocol.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * What the core asks of the edge after an input: requests to send, and calls that ended. The
 * edge does both; the core never touches Kafka, a thread or a clock.
 */
public record Effects(List<Outbound> send, List<Completion> completed) {

    /** An ended call and its outcome. */
    public record Completion(long callId, Outcome outcome) {
    }

    public static final Effects NONE = new Effects(List.of(), List.of());

    public Effects {
        send = List.copyOf(send);
        completed = List.copyOf(completed);
    }

    static Effects send(List<Outbound> send) {
        return new Effects(send, List.of());
    }

    static Effects done(long callId, Outcome outcome, List<Outbound> send) {
        return new Effects(send, List.of(new Completion(callId, outcome)));
    }

    public boolean isEmpty() {
        return send.isEmpty() && completed.isEmpty();
    }

    /** Both sets of effects, in order. */
    public Effects and(Effects other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Outbound> s = new ArrayList<>(send);
        s.addAll(other.send);
        List<Completion> c = new ArrayList<>(completed);
        c.addAll(other.completed);
        return new Effects(s, c);
    }
}
