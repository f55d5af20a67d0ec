package dev.kquorum.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void pinsTheLatencySafeValues() {
        KafkaSettings s = KafkaSettings.of("127.0.0.1:9092");
        Properties producer = s.producer("p");
        assertThat(producer).containsEntry("linger.ms", "0").containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true").containsEntry("bootstrap.servers", "127.0.0.1:9092");
        Properties consumer = s.consumer("c", "g");
        assertThat(consumer).containsEntry("fetch.min.bytes", "1").containsEntry("group.id", "g")
                .containsEntry("enable.auto.commit", "false");
        assertThat(s.consumer("c", null)).doesNotContainKey("group.id");
    }

    @Test
    void passesSecurityPropertiesThroughToEveryClient() {
        KafkaSettings s = new KafkaSettings("broker:9093", Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.truststore.location", "/etc/kq/truststore.jks"));
        for (Properties p : new Properties[] {s.producer("p"), s.consumer("c", null), s.admin("a")}) {
            assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", "/etc/kq/truststore.jks")
                    .containsKey("sasl.jaas.config");
        }
    }

    @Test
    void anExplicitOverrideWins() {
        KafkaSettings s = new KafkaSettings("b:1", Map.of("linger.ms", "2"));
        assertThat(s.producer("p")).containsEntry("linger.ms", "2");
    }

    @Test
    void requiresABootstrapAddress() {
        assertThatThrownBy(() -> KafkaSettings.of(" ")).hasMessageContaining("bootstrap servers are required");
    }
}
