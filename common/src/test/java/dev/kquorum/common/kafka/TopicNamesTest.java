package dev.kquorum.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void namesEveryTopicUnderThePrefix() {
        TopicNames t = TopicNames.DEFAULT;
        assertThat(t.replica("r1")).isEqualTo("kq.replica.r1");
        assertThat(t.replicaDlq("r1")).isEqualTo("kq.replica.r1.dlq");
        assertThat(t.replies()).isEqualTo("kq.replies");
        assertThat(t.requests()).isEqualTo("kq.requests");
        assertThat(t.responses()).isEqualTo("kq.responses");
        assertThat(t.requestsDlq()).isEqualTo("kq.requests.dlq");
        assertThat(new TopicNames("test-7").replies()).isEqualTo("test-7.replies");
    }

    @Test
    void rejectsIdsKafkaCannotUseInATopicName() {
        assertThatThrownBy(() -> TopicNames.DEFAULT.replica("r 1")).hasMessageContaining("replica id 'r 1'");
        assertThatThrownBy(() -> TopicNames.DEFAULT.replica("")).hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> new TopicNames("a/b")).hasMessageContaining("topic prefix 'a/b'");
    }
}
