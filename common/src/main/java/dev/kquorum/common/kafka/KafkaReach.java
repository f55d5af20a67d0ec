package dev.kquorum.common.kafka;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before a process builds anything on Kafka, that the cluster answers and accepts its
 * credentials: otherwise Kafka's clients retry for a minute (max.block.ms, default.api.timeout.ms)
 * while logging a warning a second, and the user learns nothing.
 */
public final class KafkaReach {

    private KafkaReach() {
    }

    /** @throws KafkaUnavailableException when the cluster does not answer within {@code within}, or refuses access */
    public static void check(KafkaSettings kafka, Duration within) {
        var props = kafka.admin("kquorum-reach");
        String ms = Long.toString(within.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (RuntimeException e) {
            throw KafkaUnavailableException.from(e, kafka, within, "to describe the cluster");
        }
        try {
            // DescribeCluster needs no ACL, but it does need a connection and a successful login.
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) within.toMillis()))
                    .nodes().get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KafkaUnavailableException.from(e, kafka, within, "to describe the cluster");
        } catch (ExecutionException e) {
            throw KafkaUnavailableException.from(e.getCause(), kafka, within, "to describe the cluster");
        } catch (TimeoutException e) {
            throw KafkaUnavailableException.from(e, kafka, within, "to describe the cluster");
        } finally {
            // Nothing is in flight worth waiting for; closing must not add to the user's wait.
            admin.close(Duration.ZERO);
        }
    }
}
