package dev.kquorum.coordinator.node;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.kquorum.common.health.Health;
import dev.kquorum.common.health.KafkaProbe;
import dev.kquorum.coordinator.kafka.Coordinator;
import dev.kquorum.coordinator.kafka.CoordinatorConfig;
import dev.kquorum.coordinator.gateway.RequestGateway;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A coordinator process's parts, started and owned together: the {@link Coordinator} at the Kafka
 * edge, the {@link RequestGateway} that feeds it from the request topic, and a {@link KafkaProbe}
 * for its health. {@code kquorum coordinator} and {@code kquorum up} each run one.
 */
public final class CoordinatorNode implements AutoCloseable {

    private final Coordinator coordinator;
    private final RequestGateway gateway;
    private final KafkaProbe probe;

    private CoordinatorNode(Coordinator coordinator, RequestGateway gateway, KafkaProbe probe) {
        this.coordinator = coordinator;
        this.gateway = gateway;
        this.probe = probe;
    }

    /**
     * Starts the coordinator, then its gateway (group member {@code kq-gateway-<id>}); returns once
     * both run. A part that fails to start closes those started before it.
     */
    public static CoordinatorNode start(CoordinatorConfig config, MeterRegistry registry) {
        Coordinator coordinator = Coordinator.start(config, registry);
        RequestGateway gateway = null;
        try {
            gateway = RequestGateway.start(coordinator, config.kafka(), config.topics(), "kq-gateway-" + config.coordinatorId(), registry);
            KafkaProbe probe = new KafkaProbe(config.kafka(), "kq-coordinator-health-" + config.coordinatorId());
            return new CoordinatorNode(coordinator, gateway, probe);
        } catch (RuntimeException | Error e) {
            // Closes what started (gateway first), keeping e as the failure.
            try (coordinator; RequestGateway started = gateway) {
                throw e;
            }
        }
    }

    /** The coordinator, for callers in this process (a {@link dev.kquorum.coordinator.api.QuorumClient}). */
    public Coordinator coordinator() {
        return coordinator;
    }

    public RequestGateway gateway() {
        return gateway;
    }

    /**
     * Waits for {@code stop} or for the coordinator's or the gateway's loop to fail: the reason of
     * the failure, or null when stopped. A process whose loop died must not linger as a zombie that
     * accepts work and answers nothing; it exits, and its supervisor restarts it.
     */
    public String awaitStopOrLoopFailure(CountDownLatch stop) throws InterruptedException {
        coordinator.loopFailure().thenRun(stop::countDown);
        gateway.loopFailure().thenRun(stop::countDown);
        stop.await();
        return coordinator.failure() != null ? coordinator.failure() : gateway.failure();
    }

    /** Healthy when Kafka answers, both loops run and there is room for more operations. */
    public Health health() {
        String kafkaProblem = probe.problem();
        int inFlight = coordinator.inFlight();
        int max = coordinator.config().maxInFlight();
        boolean healthy = kafkaProblem == null && coordinator.isRunning() && gateway.isRunning() && inFlight < max;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("coordinator", coordinator.config().coordinatorId());
        details.put("kafka", kafkaProblem == null ? "connected" : kafkaProblem);
        details.put("running", coordinator.isRunning() && gateway.isRunning());
        details.put("coordinatorLoop", loopState(coordinator.isRunning(), coordinator.failure()));
        details.put("gatewayLoop", loopState(gateway.isRunning(), gateway.failure()));
        details.put("inFlight", inFlight);
        details.put("maxInFlight", max);
        long ignored = coordinator.ignoredFutureVersions();
        if (ignored > 0) {
            // The coordinator is fine; some replica holds a version a clock or a stray writer made up.
            details.put("futureVersionsIgnored", ignored);
        }
        return new Health(healthy, details);
    }

    private static String loopState(boolean running, String failure) {
        return failure != null ? failure : running ? "running" : "stopped";
    }

    /** Closes the parts in the reverse of their start: the gateway stops feeding the coordinator before it closes. */
    @Override
    public void close() {
        try (coordinator; gateway; probe) {
            // try-with-resources closes probe, gateway, coordinator, each even if one before it fails
        }
    }
}
