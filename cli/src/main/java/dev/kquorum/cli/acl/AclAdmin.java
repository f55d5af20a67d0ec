package dev.kquorum.cli.acl;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.common.kafka.TopicNames;
import dev.kquorum.coordinator.gateway.GatewayTopics;
import dev.kquorum.coordinator.kafka.Coordinator;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What an administrator does for kquorum on a cluster with an authorizer: grant the roles' ACLs, create the topics. */
public final class AclAdmin {

    private static final Logger log = LoggerFactory.getLogger(AclAdmin.class);

    private AclAdmin() {
    }

    /** Creates the ACLs (creating one that exists changes nothing). */
    public static void apply(KafkaSettings admin, KquorumAcls acls) {
        try (Admin client = Admin.create(admin.admin("kquorum-acls"))) {
            client.createAcls(acls.bindings()).all().get(30, TimeUnit.SECONDS);
            log.info("{} ACLs in place at {}", acls.bindings().size(), admin.bootstrapServers());
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot create ACLs at " + admin.bootstrapServers() + " (" + cause.getMessage()
                    + "); the principal of --config must be allowed to alter the cluster's ACLs", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        }
    }

    /**
     * Creates kquorum's topics for {@code replicas} where absent, as the components would at start:
     * for roles that may not create topics.
     */
    public static void createTopics(KafkaSettings admin, TopicNames topics, List<String> replicas) {
        GatewayTopics.ensure(admin, topics);
        Coordinator.ensureTopics(admin, topics, replicas, 1);
        for (String r : replicas) {
            TopicAdmin.ensure(admin, Map.of(topics.replicaDlq(r), 1));
        }
    }
}
