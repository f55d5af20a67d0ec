package dev.kquorum.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.kquorum.common.protocol.Mode;
import dev.kquorum.history.HistoryOp;
import dev.kquorum.history.LinearizabilityChecker;
import dev.kquorum.history.QuorumPromiseChecker;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The promises, checked over thousands of simulated runs with faults. A failure names its seed;
 * {@code new Simulation(seed, config).run()} replays that run exactly.
 */
class SimulationProperties {

    @Property(tries = 1500)
    void linearizableModeHistoriesAreLinearizable(@ForAll long seed) {
        List<HistoryOp> history = new Simulation(seed, Simulation.Config.of(Mode.LINEARIZABLE)).run();
        String key = LinearizabilityChecker.firstViolation(history);
        assertThat(key).as("seed %d: the history of key %s is not linearizable:%n%s", seed, key, render(history, key)).isNull();
    }

    @Property(tries = 1500)
    void quorumModeHistoriesKeepTheQuorumPromise(@ForAll long seed) {
        List<HistoryOp> history = new Simulation(seed, Simulation.Config.of(Mode.QUORUM)).run();
        assertThat(QuorumPromiseChecker.violations(history)).as("seed %d", seed).isEmpty();
    }

    /**
     * The checker is not vacuous: quorum mode, without ABD's write-back, is not linearizable
     * (a read can see a write in progress that a later read does not), and the search finds it.
     */
    @Test
    void quorumModeWithoutWriteBackIsFoundNotLinearizable() {
        Long found = null;
        for (long seed = 0; seed < 3_000 && found == null; seed++) {
            List<HistoryOp> history = new Simulation(seed, Simulation.Config.of(Mode.QUORUM)).run();
            if (LinearizabilityChecker.firstViolation(history) != null) {
                found = seed;
            }
        }
        assertThat(found).as("a non-linearizable quorum-mode history among 3000 seeds").isNotNull();
    }

    @Test
    void aSeedReplaysItsRunExactly() {
        Simulation.Config config = Simulation.Config.of(Mode.QUORUM);
        assertThat(new Simulation(42, config).run()).isEqualTo(new Simulation(42, config).run());
        assertThat(new Simulation(42, config).run()).isNotEqualTo(new Simulation(43, config).run());
    }

    @Test
    void aCalmRunCompletesEveryOperation() {
        List<HistoryOp> history = new Simulation(7, Simulation.Config.of(Mode.QUORUM).calm()).run();
        assertThat(history).hasSize(4 * 8).allMatch(HistoryOp::completed);
    }

    private static String render(List<HistoryOp> history, String key) {
        StringBuilder s = new StringBuilder();
        history.stream().filter(op -> op.key().equals(key)).forEach(op -> s.append("  ").append(op).append('\n'));
        return s.toString();
    }
}
