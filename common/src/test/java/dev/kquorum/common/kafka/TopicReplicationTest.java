package dev.kquorum.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicReplicationTest {

    @Test
    void byClusterKeepsThreeCopiesAtMostAndNeedsAllButOneInSync() {
        assertThat(TopicReplication.BY_CLUSTER.forCluster(1, "b")).isEqualTo(new TopicReplication(1, 1));
        assertThat(TopicReplication.BY_CLUSTER.forCluster(2, "b")).isEqualTo(new TopicReplication(2, 1));
        assertThat(TopicReplication.BY_CLUSTER.forCluster(3, "b")).isEqualTo(new TopicReplication(3, 2));
        assertThat(TopicReplication.BY_CLUSTER.forCluster(7, "b")).isEqualTo(new TopicReplication(3, 2));
    }

    @Test
    void anOperatorsChoiceOverridesTheClusterButNotWhatTheClusterCanHold() {
        assertThat(new TopicReplication(5, 0).forCluster(7, "b")).isEqualTo(new TopicReplication(5, 4));
        assertThat(new TopicReplication(1, 0).forCluster(3, "b")).isEqualTo(new TopicReplication(1, 1));
        assertThat(new TopicReplication(0, 1).forCluster(3, "b")).isEqualTo(new TopicReplication(3, 1));
        assertThatThrownBy(() -> new TopicReplication(3, 0).forCluster(1, "host:9092"))
                .hasMessage("replication factor 3 needs 3 brokers; the cluster at host:9092 has 1");
        assertThatThrownBy(() -> new TopicReplication(0, 3).forCluster(2, "host:9092"))
                .hasMessage("min.insync.replicas 3 is more than the replication factor 2");
    }

    @Test
    void numbersThatCannotWorkAreRefusedWithWhy() {
        assertThatThrownBy(() -> new TopicReplication(-1, 0)).hasMessageContaining("replication factor -1");
        assertThatThrownBy(() -> new TopicReplication(0, -2)).hasMessageContaining("min.insync.replicas -2 is negative");
        assertThatThrownBy(() -> new TopicReplication(2, 3))
                .hasMessageContaining("min.insync.replicas 3 is more than the replication factor 2: no write could ever be acknowledged");
    }

    @Test
    void aTopicWithFewerCopiesOrFewerInSyncThanNeededIsRefusedNamingTopicSettingAndFix() {
        TopicReplication needed = new TopicReplication(3, 2);
        assertThatThrownBy(() -> TopicReplicationCheck.check("kq.replica.r1", new TopicReplication(1, 1), needed, "h:1"))
                .hasMessageStartingWith("topic kq.replica.r1 has replication factor 1: kquorum needs 3 on this cluster")
                .hasMessageContaining("kafka-reassign-partitions.sh --bootstrap-server h:1");
        assertThatThrownBy(() -> TopicReplicationCheck.check("kq.requests", new TopicReplication(3, 1), needed, "h:1"))
                .hasMessageStartingWith("topic kq.requests has min.insync.replicas=1")
                .hasMessageContaining("kquorum needs 2")
                .hasMessageContaining("--entity-name kq.requests --add-config min.insync.replicas=2");
        assertThatCode(() -> TopicReplicationCheck.check("t", new TopicReplication(5, 3), needed, "h:1")).doesNotThrowAnyException();
    }
}
