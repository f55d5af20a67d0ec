package dev.kquorum.localkafka;

import java.util.Map;
import java.util.Properties;

/**
 * One node of a local Kafka: the single combined node ({@code kquorum kafka}), or the controller
 * or one broker of a local cluster ({@code kquorum kafka --brokers 3}), each a process of its own.
 *
 * @param clusterBrokers how many brokers the cluster has: internal topics are replicated over
 *                       {@code min(3, clusterBrokers)} of them
 * @param controllerPort the controller's port, which every node of a cluster names as the voter
 * @param security       SASL and ACLs ({@code kquorum kafka --secure}), or null for plaintext without them
 */
public record KafkaNode(Role role, int nodeId, BrokerSettings settings, String clusterId, int controllerPort, int clusterBrokers,
                        KafkaSecurity security) {

    /** What a node does. */
    public enum Role { COMBINED, CONTROLLER, BROKER }

    /** The node id of a cluster's controller; brokers are 1..n. */
    public static final int CONTROLLER_ID = 0;

    public KafkaNode {
        if (clusterBrokers < 1) {
            throw new IllegalArgumentException("a cluster needs at least one broker, not " + clusterBrokers);
        }
    }

    /** The single combined node, formatted as its own one-voter quorum. */
    public static KafkaNode combined(BrokerSettings settings) {
        return combined(settings, null);
    }

    public static KafkaNode combined(BrokerSettings settings, KafkaSecurity security) {
        return new KafkaNode(Role.COMBINED, 1, settings, null, settings.controllerPort(), 1, security);
    }

    /** Replicas of Kafka's internal topics (offsets, transactions). */
    int replicationFactor() {
        return Math.min(3, clusterBrokers);
    }

    /** In-sync replicas an acknowledged write needs: all but one, so one broker can die at a time. */
    int minInsyncReplicas() {
        return Math.max(1, replicationFactor() - 1);
    }

    /** The address clients bootstrap from; a controller has none. */
    String clientAddress() {
        return role == Role.CONTROLLER ? null : settings.bootstrapServers();
    }

    Properties properties() {
        String host = BrokerSettings.HOST;
        String controller = host + ":" + controllerPort;
        String listener = security == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        String client = listener + "://" + host + ":" + settings.port();
        Properties p = new Properties();
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:" + listener);
        if (security != null) {
            security.addTo(p);
        }
        p.put("log.dirs", settings.dataDir().resolve("logs").toString());
        switch (role) {
            case COMBINED -> {
                p.put("process.roles", "broker,controller");
                // A dynamic quorum of one, formatted --standalone: what the first release did; kept
                // so that data directories it formatted still start.
                p.put("controller.quorum.bootstrap.servers", controller);
                p.put("listeners", client + ",CONTROLLER://" + controller);
            }
            case CONTROLLER -> {
                p.put("process.roles", "controller");
                p.put("controller.quorum.voters", CONTROLLER_ID + "@" + controller);
                p.put("listeners", "CONTROLLER://" + controller);
            }
            case BROKER -> {
                p.put("process.roles", "broker");
                p.put("controller.quorum.voters", CONTROLLER_ID + "@" + controller);
                p.put("listeners", client);
            }
        }
        if (role != Role.CONTROLLER) {
            p.put("advertised.listeners", client);
            p.put("inter.broker.listener.name", listener);
        }
        String rf = Integer.toString(replicationFactor());
        String minIsr = Integer.toString(minInsyncReplicas());
        if (role != Role.BROKER) {
            // Used by the controller, which creates topics; a broker-only node warns about it.
            p.put("num.partitions", "1");
        }
        p.putAll(Map.ofEntries(
                Map.entry("offsets.topic.replication.factor", rf),
                // One partition: a group's coordinator is found at once, and a cluster starts fast.
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", rf),
                Map.entry("transaction.state.log.min.isr", minIsr),
                Map.entry("share.coordinator.state.topic.replication.factor", rf),
                Map.entry("share.coordinator.state.topic.min.isr", minIsr),
                // default.replication.factor and min.insync.replicas keep Kafka's defaults (1 and 1),
                // as on a stock cluster: kquorum states its own for every topic it creates.
                // Fast start and restart: no rebalance delay, a dead incarnation is noticed in seconds.
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("broker.session.timeout.ms", "3000"),
                Map.entry("broker.heartbeat.interval.ms", "500"),
                // A dead producer's open transaction (an exactly-once replica worker SIGKILLed) is
                // aborted within a second of its timeout, not up to ten: a partition moving to
                // another worker waits for that abort (docs/operations.md).
                Map.entry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
                // A cluster creates no topic because something produced to it: it would get Kafka's
                // defaults, one copy among them. The single node keeps auto-creation, as tests and
                // tools written against a stock development broker expect.
                Map.entry("auto.create.topics.enable", Boolean.toString(role == Role.COMBINED))));
        return p;
    }
}
