package dev.kquorum.common.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuorumSpecTest {

    @Test
    void namedLevelsResolveAgainstTheReplicaCount() {
        assertThat(QuorumSpec.majority(3)).isEqualTo(new QuorumSpec(3, 2, 2));
        assertThat(QuorumSpec.majority(4)).isEqualTo(new QuorumSpec(4, 3, 3));
        assertThat(QuorumSpec.of(5, Consistency.ONE, Consistency.ALL)).isEqualTo(new QuorumSpec(5, 1, 5));
        assertThat(QuorumSpec.of(3, Consistency.count(3), Consistency.count(1))).isEqualTo(new QuorumSpec(3, 3, 1));
    }

    @Test
    void parsesLevelsAndNumbers() {
        assertThat(Consistency.parse("quorum")).isEqualTo(Consistency.QUORUM);
        assertThat(Consistency.parse(" ALL ")).isEqualTo(Consistency.ALL);
        assertThat(Consistency.parse("One")).isEqualTo(Consistency.ONE);
        assertThat(Consistency.parse("2")).isEqualTo(Consistency.count(2));
        assertThat(Consistency.count(2).toString()).isEqualTo("2");
    }

    @Test
    void rejectsWhatCanNeverBeMet() {
        assertThatThrownBy(() -> QuorumSpec.of(3, Consistency.count(4), Consistency.QUORUM))
                .isInstanceOf(InvalidQuorumException.class)
                .hasMessage("write quorum 4 exceeds the 3 replicas");
        assertThatThrownBy(() -> QuorumSpec.of(3, Consistency.QUORUM, Consistency.count(7)))
                .hasMessage("read quorum 7 exceeds the 3 replicas");
        assertThatThrownBy(() -> Consistency.count(0)).hasMessageContaining("at least 1, got 0");
        assertThatThrownBy(() -> Consistency.parse("most")).hasMessageContaining("got 'most'");
        assertThatThrownBy(() -> Consistency.parse("")).hasMessageContaining("got nothing");
        assertThatThrownBy(() -> Consistency.parse("-1")).hasMessageContaining("at least 1, got -1");
        assertThatThrownBy(() -> new QuorumSpec(0, 1, 1)).hasMessageContaining("at least 1 replica");
    }

    @Test
    void linearizableModeNeedsIntersectingQuorums() {
        assertThat(new QuorumSpec(3, 2, 2).requireLinearizable()).isEqualTo(new QuorumSpec(3, 2, 2));
        assertThatThrownBy(() -> new QuorumSpec(3, 1, 3).requireLinearizable()).hasMessageContaining("(W >= 2), got W=1");
        assertThatThrownBy(() -> new QuorumSpec(4, 3, 1).requireLinearizable()).hasMessageContaining("R + W > N");
        assertThat(new QuorumSpec(3, 1, 1).overlapping()).isFalse();
        assertThat(new QuorumSpec(3, 2, 2).overlapping()).isTrue();
    }
}
