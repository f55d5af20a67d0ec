package dev.kquorum.coordinator.gateway;

import java.util.Properties;

import dev.kquorum.common.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How a gateway belongs to the coordinators' consumer group, chosen for failover (measured in
 * docs/benchmarks.md, "Gateway failover"):
 * <ul>
 *   <li>static membership: {@code group.instance.id} is the gateway's client id, which is derived
 *   from the coordinator id. A coordinator restarted with the same id takes its partitions back at
 *   once, without a rebalance and without waiting for its dead predecessor's session to expire;</li>
 *   <li>a short session, {@code session.timeout.ms=6000}: the classic protocol's broker minimum by
 *   default ({@code group.min.session.timeout.ms}), so a SIGKILLed coordinator's partitions go to a
 *   peer within about 6-8 s instead of Kafka's default 45 s.</li>
 * </ul>
 * Kafka 4's consumer group protocol ({@code group.protocol=consumer}) was not chosen: its session
 * timeout is set on the broker and may not go below {@code group.consumer.min.session.timeout.ms},
 * 45 s by default, which a client cannot change on a cluster it does not run. An operator who sets
 * {@code group.protocol=consumer} in the client properties gets it, without the classic-only
 * session settings (which that protocol refuses). Any of these set by the operator wins.
 */
final class GatewayMembership {

    static final String SESSION_TIMEOUT_MS = "6000";
    /** A third of the session or less, as Kafka advises; also how soon a peer hears of a rebalance. */
    static final String HEARTBEAT_INTERVAL_MS = "1500";

    private GatewayMembership() {
    }

    static Properties consumer(KafkaSettings kafka, String clientId, String groupId) {
        Properties p = kafka.consumer(clientId, groupId);
        p.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, clientId);
        boolean classic = !"consumer".equalsIgnoreCase(String.valueOf(p.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")));
        if (classic) {
            p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
            p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
        }
        return p;
    }
}
