package dev.kquorum.simulation;

/**
 * What goes wrong in a run, and when, from the config's counts and the seed: replicas crashing and
 * restarting with their store, or with a wiped one (one of them, maybe, for longer than its topic's retention),
 * coordinators crashing and restarting, partitions between coordinators and replicas, a stray
 * writer's far-future versions, and replica processes frozen past their session (zombies). Message loss, duplication and delay are in {@link Simulation#send}.
 */
final class Faults {

    /** Faults fall within the first few simulated seconds, while clients run. */
    private static final int WINDOW_MS = 2_500;

    private final Simulation sim;

    Faults(Simulation sim) {
        this.sim = sim;
    }

    void schedule() {
        SimConfig.Faults f = sim.config.faults();
        for (int i = 0; i < f.replicaCrashes(); i++) {
            SimReplica r = anyReplica();
            long length = 50 + sim.random.nextInt(400);
            boolean wiped = sim.wipedDisks && sim.random.nextInt(3) == 0;
            sim.atTime(sim.random.nextInt(WINDOW_MS), () -> r.crash(length, wiped));
        }
        if (f.longOutage()) {
            SimReplica r = anyReplica();
            long length = sim.config.retentionMs() + 1 + sim.random.nextInt(1_000);
            sim.atTime(sim.random.nextInt(500), () -> r.crash(length));
        }
        for (int i = 0; i < f.coordinatorCrashes(); i++) {
            SimCoordinator c = sim.coordinators.get(sim.random.nextInt(sim.coordinators.size()));
            sim.atTime(sim.random.nextInt(WINDOW_MS), c::crash);
        }
        for (int i = 0; i < f.partitions(); i++) {
            long length = 100 + sim.random.nextInt(500);
            String link = sim.coordinators.get(sim.random.nextInt(sim.coordinators.size())).id + "/" + anyReplica().id;
            sim.atTime(sim.random.nextInt(WINDOW_MS), () -> sim.cut.put(link, sim.now + length));
        }
        if (sim.zombieWorkers) {
            for (int i = 0; i < 1 + sim.random.nextInt(2); i++) {
                SimReplica r = anyReplica();
                long pause = 20 + sim.random.nextInt(400);
                sim.atTime(sim.random.nextInt(WINDOW_MS), () -> r.freeze(pause));
            }
        }
        for (int i = 0; i < f.bogusVersions(); i++) {
            SimReplica r = anyReplica();
            String key = sim.keys.get(sim.random.nextInt(sim.keys.size()));
            sim.atTime(sim.random.nextInt(WINDOW_MS), () -> r.injectBogus(key));
        }
    }

    private SimReplica anyReplica() {
        return sim.replicas.get(sim.random.nextInt(sim.replicas.size()));
    }
}
