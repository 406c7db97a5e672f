package io.haproxyconsul.operator.publish;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Cluster writes that must not delay the status naming a new configuration: Events, and deleting configurations
 * past the history limit. One thread, in submission order; a failure is logged, and the next publication prunes
 * again.
 */
@ApplicationScoped
public class BackgroundWrites {

    private static final Logger LOG = Logger.getLogger(BackgroundWrites.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        var thread = new Thread(task, "hco-background-writes");
        thread.setDaemon(true);
        return thread;
    });

    public void submit(String what, Runnable write) {
        executor.execute(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                LOG.warnf("%s failed: %s", what, e.getMessage());
            }
        });
    }

    /** Lets writes already submitted finish, so an Event of the last reconcile is not lost on shutdown. */
    @PreDestroy
    void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
