package dev.kquorum.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/**
 * What each Kafka failure is called, in one line. (A refusal needs a secured broker to provoke
 * for real; here the classification itself is checked with the exceptions Kafka's clients throw.)
 */
class KafkaUnavailableExceptionTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"client\""
            + " password=\"secret\";";
    private static final KafkaSettings AT = new KafkaSettings("broker1:9093", Map.of("security.protocol", "SASL_PLAINTEXT",
            "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS));

    @Test
    void aTimeoutIsAnUnreachableCluster() {
        var e = KafkaUnavailableException.from(new TimeoutException("Timeout expired while fetching topic metadata"), AT, Duration.ofSeconds(3), null);
        assertThat(e.reason()).isEqualTo(KafkaUnavailableException.Reason.UNREACHABLE);
        assertThat(e.getMessage()).isEqualTo("cannot reach Kafka at broker1:9093 within 3 s: is Kafka running?"
                + " Try ./kquorum up (or ./kquorum kafka), or point --bootstrap-servers at your cluster");
    }

    @Test
    void badCredentialsAndMissingRightsAreARefusal() {
        var sasl = KafkaUnavailableException.from(new ExecutionException(
                new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials\nwith SASL mechanism SCRAM-SHA-512")),
                AT, Duration.ofSeconds(7), "to connect");
        assertThat(sasl.reason()).isEqualTo(KafkaUnavailableException.Reason.REFUSED);
        assertThat(sasl.getMessage()).startsWith("Kafka at broker1:9093 did not accept the credentials of User:client"
                        + " (SaslAuthenticationException: ").contains("sasl.jaas.config").doesNotContain("\n", "secret");
        var acl = KafkaUnavailableException.from(new TopicAuthorizationException("Not authorized to access topics: [kq.responses]"),
                AT, Duration.ofSeconds(7), "to read kq.responses");
        assertThat(acl.reason()).isEqualTo(KafkaUnavailableException.Reason.REFUSED);
        assertThat(acl.getMessage()).startsWith("Kafka at broker1:9093 refused User:client to read kq.responses"
                + " (TopicAuthorizationException: Not authorized to access topics: [kq.responses]): the principal needs an ACL");
    }

    @Test
    void anUnresolvableAddressPointsAtTheFlag() {
        var e = KafkaUnavailableException.from(new KafkaException("Failed to construct kafka producer",
                new ConfigException("No resolvable bootstrap urls given in bootstrap.servers")), KafkaSettings.of("nohost:9092"),
                Duration.ofSeconds(2), null);
        assertThat(e.getMessage()).contains("nohost:9092", "No resolvable bootstrap urls", "--bootstrap-servers");
    }

    @Test
    void otherFailuresAreNotCalledUnreachable() {
        var e = KafkaUnavailableException.from(new RecordTooLargeException("The message is 9000000 bytes"), AT, Duration.ofSeconds(2), null);
        assertThat(e.reason()).isEqualTo(KafkaUnavailableException.Reason.FAILED);
        assertThat(e.getMessage()).contains("RecordTooLargeException", "9000000").doesNotContain("cannot reach");
    }
}
