package dev.kquorum.coordinator.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * Where a round's vote stands, from a golden table (quorum_votes.txt) that a reader can check line
 * by line without reading the tracker, as etcd's raft checks its {@code VoteResult}.
 */
class QuorumTrackerTest {

    @ParameterizedTest(name = "N={0}, needed {1}: {2} -> {3}")
    @CsvFileSource(resources = "/dev/kquorum/coordinator/call/quorum_votes.txt", delimiter = '|')
    void theVoteStandsAsTheTableSays(int n, int needed, String replies, VoteResult expected) {
        List<String> votes = List.of(replies.trim().split("\\s+"));
        assertThat(votes).as("one reply per replica").hasSize(n);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        assertThat(tally(votes, order, needed).result()).isEqualTo(expected);
        // Only how many replicas succeeded and failed matters, not in which order they answered.
        Collections.reverse(order);
        QuorumTracker reversed = tally(votes, order, needed);
        assertThat(reversed.result()).as("the same replies in reverse order").isEqualTo(expected);
        assertThat(reversed.unanswered()).isEqualTo(votes.stream().filter("?"::equals).count());
    }

    @Test
    void aReplicaCountsOnceAndAStrangerNotAtAll() {
        QuorumTracker tracker = new QuorumTracker(List.of("r1", "r2", "r3"), 2);
        assertThat(tracker.add("r1", true)).isTrue();
        assertThat(tracker.add("r1", true)).as("delivered again").isFalse();
        assertThat(tracker.add("r1", false)).as("a refusal after its ack").isFalse();
        assertThat(tracker.add("r9", true)).as("not a replica of this round").isFalse();
        assertThat(tracker.result()).isEqualTo(VoteResult.PENDING);
        assertThat(tracker.succeeded()).containsExactly("r1");
        assertThat(tracker.failedCount()).isZero();
    }

    private static QuorumTracker tally(List<String> votes, List<Integer> order, int needed) {
        List<String> replicas = new ArrayList<>();
        for (int i = 1; i <= votes.size(); i++) {
            replicas.add("r" + i);
        }
        QuorumTracker tracker = new QuorumTracker(replicas, needed);
        for (int i : order) {
            switch (votes.get(i)) {
                case "y" -> tracker.add(replicas.get(i), true);
                case "n" -> tracker.add(replicas.get(i), false);
                case "?" -> { }
                default -> throw new IllegalArgumentException("a reply is y, n or ?, got " + votes.get(i));
            }
        }
        return tracker;
    }
}
