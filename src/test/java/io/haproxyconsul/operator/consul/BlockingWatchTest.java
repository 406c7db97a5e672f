package io.haproxyconsul.operator.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.haproxyconsul.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A KV prefix watched with blocking queries, answered by hand. */
class BlockingWatchTest {

    private final ManualTime time = new ManualTime();
    private final List<Long> asked = new ArrayList<>();
    private final List<String> heard = new ArrayList<>();
    private Promise<Answer<String>> open;
    private final BlockingWatch<String> watch = new BlockingWatch<>("KV service/haproxy/", "kv",
            CatalogMirrorTest.TIMING, time.clock(), new Retries(time), new OperatorMetrics(new SimpleMeterRegistry()),
            index -> {
                asked.add(index);
                open = Promise.promise();
                return open.future();
            }, new BlockingWatch.Listener() {
                @Override
                public void answered(boolean restarted, long nanos) {
                    heard.add(restarted ? "restarted" : "answered");
                }

                @Override
                public void failed() {
                    heard.add("failed");
                }
            });

    @BeforeEach
    void answeredAtIndexFifty() {
        watch.start();
        open.complete(new Answer<>("maxconn=100", 50));
        time.advance(Duration.ofMillis(20));
    }

    @Test
    void blocksAtTheLastIndexAndHearsOnlyOfChanges() {
        open.complete(new Answer<>("maxconn=100", 50));
        time.advance(Duration.ofMillis(20));
        open.complete(new Answer<>("maxconn=200", 51));
        time.advance(Duration.ofMillis(20));

        assertThat(asked).containsExactly(0L, 50L, 50L, 51L);
        assertThat(heard).containsExactly("answered", "answered");
        assertThat(watch.latest()).isEqualTo("maxconn=200");
    }

    @Test
    void afterAFailureTheNextQueryDoesNotBlockOnAnIndexANewAgentMayNeverReach() {
        open.fail(new IOException("Connection refused"));
        time.advance(Duration.ofMillis(250));

        assertThat(asked).containsExactly(0L, 50L, 0L);
        assertThat(watch.failure().since()).isEqualTo(ManualTime.START);
        assertThat(watch.latest()).as("the last answer keeps serving").isEqualTo("maxconn=100");
        open.complete(new Answer<>("maxconn=100", 50));
        time.advance(Duration.ofMillis(20));
        assertThat(asked).containsExactly(0L, 50L, 0L, 50L);
        assertThat(watch.failure()).isNull();
        assertThat(heard).containsExactly("answered", "failed", "answered");
    }

    @Test
    void anIndexGoingBackwardsIsARestartReadAgainAtOnceThenFollowedFromItsNewIndex() {
        open.complete(new Answer<>("maxconn=300", 7));
        time.advance(Duration.ofMillis(20));
        open.complete(new Answer<>("maxconn=300", 7));
        time.advance(Duration.ofMillis(20));

        assertThat(asked).containsExactly(0L, 50L, 0L, 7L);
        assertThat(heard).containsExactly("answered", "restarted");
        assertThat(watch.latest()).isEqualTo("maxconn=300");
    }

    @Test
    void aFailureRunKeepsItsStartAndItsLatestError() {
        open.fail(new IOException("Connection refused"));
        time.advance(Duration.ofSeconds(2));
        open.fail(new IOException("Connection reset"));

        assertThat(watch.failure()).isEqualTo(new WatchFailure("KV service/haproxy/", ManualTime.START,
                "Connection reset"));
    }
}
