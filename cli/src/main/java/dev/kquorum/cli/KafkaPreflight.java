package dev.kquorum.cli;

import java.time.Duration;

import dev.kquorum.common.kafka.KafkaReach;
import dev.kquorum.common.kafka.KafkaSettings;

/** The check every server makes before it builds anything on Kafka. */
public final class KafkaPreflight {

    /** Leaves room within the 10 s a server has to say that Kafka is unreachable, for JVM start. */
    static final Duration BUDGET = Duration.ofSeconds(7);

    private KafkaPreflight() {
    }

    /** @throws dev.kquorum.common.kafka.KafkaUnavailableException when Kafka does not answer or refuses access */
    public static void check(KafkaSettings kafka) {
        try (KafkaClientLog.Quiet quiet = KafkaClientLog.quietWhile()) {
            KafkaReach.check(kafka, BUDGET);
        }
    }
}
