package dev.kquorum.common.kafka;

import java.util.regex.Pattern;

/**
 * The names of kquorum's topics, under one prefix ({@code kq} by default) so that several
 * kquorum clusters, or several tests, can share one Kafka cluster.
 */
public record TopicNames(String prefix) {

    /** Kafka's legal topic characters; replica ids become part of topic names. */
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public static final TopicNames DEFAULT = new TopicNames("kq");

    public TopicNames {
        requireLegal("topic prefix", prefix);
    }

    /** @throws IllegalArgumentException naming the id and what is allowed */
    public static String requireLegal(String what, String name) {
        if (name == null || !LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1 to 100 of the characters A-Z a-z 0-9 . _ -");
        }
        return name;
    }

    /** Requests for one replica, keyed by data key so per-key order is kept. */
    public String replica(String replicaId) {
        return prefix + ".replica." + requireLegal("replica id", replicaId);
    }

    /** Records worker {@code replicaId} could not use, with the reason in a header. */
    public String replicaDlq(String replicaId) {
        return replica(replicaId) + ".dlq";
    }

    /** Replies from replicas; each coordinator owns one partition. */
    public String replies() {
        return prefix + ".replies";
    }

    /** The integration point: requests from any Kafka client. */
    public String requests() {
        return prefix + ".requests";
    }

    /** Where answers go when a request names no reply topic. */
    public String responses() {
        return prefix + ".responses";
    }

    /** Request-topic records that could not even be answered. */
    /** The consumer group of the coordinators' gateways, which share {@link #requests()}. */
    public String gatewayGroup() {
        return prefix + ".gateway";
    }

    public String requestsDlq() {
        return requests() + ".dlq";
    }
}
