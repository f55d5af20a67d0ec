package dev.kquorum.common.process;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a call, instead of the JVM's abrupt shutdown: a
 * long-running command finishes the work in hand, closes its clients and exits with 0.
 */
public final class StopSignal {

    private StopSignal() {
    }

    public static void onTermOrInt(Runnable stop) {
        Signal.handle(new Signal("TERM"), signal -> stop.run());
        Signal.handle(new Signal("INT"), signal -> stop.run());
    }
}
