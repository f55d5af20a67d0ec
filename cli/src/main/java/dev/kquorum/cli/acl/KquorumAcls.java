package dev.kquorum.cli.acl;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kquorum.common.kafka.TopicNames;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least each kquorum role needs of Kafka, as ACLs (docs/security.md has the table and why):
 * <ul>
 *   <li><b>coordinator</b>: reads requests as the gateway group, writes the replica topics, the
 *       responses (its own topic and those prefixed with it, where clients may be answered) and the
 *       dead letters, and reads the replies;</li>
 *   <li><b>worker of replica rN</b>: reads only its replica topic, as its application's group;
 *       writes only the replies and its own dead letters; owns its Streams changelogs and
 *       transactional ids (prefix {@code <replica topic>-});</li>
 *   <li><b>client</b>: writes requests, reads the responses.</li>
 * </ul>
 * Topics are created by an administrator (a super user), not by the roles: none has CREATE on a
 * topic but a worker on its own changelogs.
 *
 * @param workers each replica's worker principal, by replica id
 */
public record KquorumAcls(TopicNames topics, String coordinator, String client, Map<String, String> workers) {

    /** The principals {@code kquorum kafka --secure} creates: User:coordinator, User:client, User:worker-&lt;replica&gt;. */
    public static KquorumAcls forLocalUsers(TopicNames topics, List<String> replicas) {
        Map<String, String> workers = new java.util.LinkedHashMap<>();
        replicas.forEach(r -> workers.put(r, "User:worker-" + r));
        return new KquorumAcls(topics, "User:coordinator", "User:client", workers);
    }

    /** One role's grants, with a line that says what they are for. */
    public record Grant(String role, String principal, AclBinding binding) {
    }

    public List<Grant> grants() {
        List<Grant> g = new ArrayList<>();
        add(g, "coordinator", coordinator, TOPIC, topics.requests(), LITERAL, READ, DESCRIBE, DESCRIBE_CONFIGS);
        add(g, "coordinator", coordinator, GROUP, topics.gatewayGroup(), LITERAL, READ, DESCRIBE);
        add(g, "coordinator", coordinator, TOPIC, topics.responses(), PREFIXED, WRITE, DESCRIBE, DESCRIBE_CONFIGS);
        add(g, "coordinator", coordinator, TOPIC, topics.requestsDlq(), LITERAL, WRITE, DESCRIBE, DESCRIBE_CONFIGS);
        add(g, "coordinator", coordinator, TOPIC, topics.replies(), LITERAL, READ, DESCRIBE, DESCRIBE_CONFIGS);
        workers.keySet().stream().sorted().forEach(replica -> add(g, "coordinator", coordinator, TOPIC, topics.replica(replica),
                LITERAL, WRITE, DESCRIBE, DESCRIBE_CONFIGS));
        workers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(w -> {
            String role = "worker " + w.getKey();
            String replicaTopic = topics.replica(w.getKey());
            add(g, role, w.getValue(), TOPIC, replicaTopic, LITERAL, READ, DESCRIBE, DESCRIBE_CONFIGS);
            add(g, role, w.getValue(), GROUP, replicaTopic, LITERAL, READ, DESCRIBE);
            // Its Streams application's changelogs and transactional ids, named after the application.
            add(g, role, w.getValue(), TOPIC, replicaTopic + "-", PREFIXED, CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS);
            add(g, role, w.getValue(), TRANSACTIONAL_ID, replicaTopic + "-", PREFIXED, WRITE, DESCRIBE);
            add(g, role, w.getValue(), TOPIC, topics.replicaDlq(w.getKey()), LITERAL, WRITE, DESCRIBE, DESCRIBE_CONFIGS);
            add(g, role, w.getValue(), TOPIC, topics.replies(), LITERAL, WRITE, DESCRIBE);
        });
        add(g, "client", client, TOPIC, topics.requests(), LITERAL, WRITE, DESCRIBE);
        add(g, "client", client, TOPIC, topics.responses(), LITERAL, READ, DESCRIBE);
        return g;
    }

    /** The bindings alone, for the Admin API. */
    public List<AclBinding> bindings() {
        return grants().stream().map(Grant::binding).toList();
    }

    /** {@code kafka-acls.sh} commands that make these grants on the cluster at {@code bootstrap}, one per resource and principal. */
    public List<String> commands(String bootstrap) {
        List<String> lines = new ArrayList<>();
        String role = null;
        List<Grant> all = grants();
        for (int i = 0; i < all.size(); ) {
            Grant first = all.get(i);
            if (!first.role().equals(role)) {
                role = first.role();
                lines.add("# " + role + " (" + first.principal() + ")");
            }
            StringBuilder ops = new StringBuilder();
            int j = i;
            while (j < all.size() && sameResource(all.get(j), first)) {
                ops.append(" --operation ").append(camel(all.get(j).binding().entry().operation()));
                j++;
            }
            ResourcePattern r = first.binding().pattern();
            lines.add("kafka-acls.sh --bootstrap-server " + bootstrap + " --command-config admin.properties --add --allow-principal "
                    + first.principal() + ops + " " + flag(r.resourceType()) + " " + r.name()
                    + (r.patternType() == PREFIXED ? " --resource-pattern-type prefixed" : ""));
            i = j;
        }
        return lines;
    }

    private static boolean sameResource(Grant a, Grant b) {
        return a.principal().equals(b.principal()) && a.binding().pattern().equals(b.binding().pattern());
    }

    private static String flag(ResourceType type) {
        return switch (type) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            default -> throw new IllegalArgumentException("no kafka-acls.sh flag for " + type);
        };
    }

    private static String camel(AclOperation op) {
        StringBuilder s = new StringBuilder();
        for (String part : op.name().split("_")) {
            s.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return s.toString();
    }

    private static void add(List<Grant> grants, String role, String principal, ResourceType type, String name, PatternType pattern,
                            AclOperation... operations) {
        for (AclOperation op : operations) {
            grants.add(new Grant(role, principal, new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW))));
        }
    }
}
