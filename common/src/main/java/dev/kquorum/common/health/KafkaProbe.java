package dev.kquorum.common.health;

import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import java.time.Duration;

/**
 * Asks the cluster whether it is there: a metadata request with a short timeout, remembered for
 * a second so that a health check polled often costs the broker little.
 */
public final class KafkaProbe implements AutoCloseable {

    /** Monotonic: a wall clock stepped back would keep a stale verdict, one stepped forward would probe at every call. */
    private static final long REMEMBER_NANOS = 1_000_000_000L;

    private final Admin admin;
    private long checkedAt;
    private boolean checked;
    private String problem = "not checked yet";

    public KafkaProbe(KafkaSettings kafka, String clientId) {
        var props = kafka.admin(clientId);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        this.admin = Admin.create(props);
    }

    /** Null when Kafka answered, else what went wrong. */
    public synchronized String problem() {
        if (!checked || System.nanoTime() - checkedAt > REMEMBER_NANOS) {
            try {
                int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).size();
                problem = nodes > 0 ? null : "the cluster reports no brokers";
            } catch (Exception e) {
                problem = "Kafka did not answer: " + (e.getCause() != null ? e.getCause().getMessage() : e.toString());
            }
            checkedAt = System.nanoTime();
            checked = true;
        }
        return problem;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
