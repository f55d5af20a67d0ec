package dev.kquorum.replica.worker;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread a worker's loop runs on, owned by the worker: started with it, joined when it
 * closes, and keeping what ended the loop if it failed, so that whoever waits for the loop learns
 * why (as it would have had the loop run on its own thread).
 */
final class LoopThread {

    private static final Logger log = LoggerFactory.getLogger(LoopThread.class);

    private final Thread thread;
    private volatile Throwable failure;

    LoopThread(String name, Runnable loop) {
        this.thread = new Thread(() -> {
            try {
                loop.run();
            } catch (RuntimeException | Error e) {
                failure = e;
                log.error("{} ended on an error and no longer consumes: {}", name, e.toString(), e);
            }
        }, name);
    }

    void start() {
        thread.start();
    }

    /** Waits for the loop to end, then throws what ended it, if anything. */
    void await() throws InterruptedException {
        thread.join();
        Throwable e = failure;
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
    }

    /** Waits at most {@code timeout} for the loop to end, without throwing what ended it. */
    void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
