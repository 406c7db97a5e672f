package io.haproxyconsul.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Every setting of the operator, under the prefix {@code hco}. */
@ConfigMapping(prefix = "hco")
public interface OperatorConfig {

    Consul consul();

    Haproxy haproxy();

    LeaderElection leaderElection();

    interface LeaderElection {
        /** The Lease that operator replicas compete for. */
        @WithDefault("haproxy-consul-operator")
        String leaseName();

        /** Namespace of the Lease; the operator's own namespace when unset (KUBERNETES_NAMESPACE in deploy/). */
        Optional<String> leaseNamespace();

        /** This replica's name in the Lease; the pod name (POD_NAME in deploy/) or a random one when unset. */
        Optional<String> identity();

        /** How long a Lease holds without renewal: the longest a crashed leader's work waits. */
        @WithDefault("15s")
        Duration leaseDuration();

        /**
         * How long the leader's Lease may go unrenewed before the leader halts; a few seconds under the lease duration,
         * so that it has stopped before another replica may take the Lease.
         */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often replicas try to take or renew the Lease, and the leader reads it back for its watchdog. */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    interface Consul {
        /** How long Consul may hold a blocking query open before answering with no change. */
        @WithDefault("5m")
        Duration blockingWait();

        /**
         * How often every selected service is read again in full, whatever the long polls said: it catches what no
         * Consul index shows (a node's new address) and a registration without checks that happened together with
         * one with checks.
         */
        @WithDefault("5m")
        Duration resyncPeriod();

        /** Shortest pause between two queries of one watch; bounds the request rate under constant change. */
        @WithDefault("20ms")
        Duration minQueryInterval();

        /** First retry delay after a failed query; doubles on each failure in a row. */
        @WithDefault("250ms")
        Duration retryMin();

        /** Longest retry delay after failed queries. */
        @WithDefault("30s")
        Duration retryMax();

        /**
         * Connections to one Consul at most: two long polls (catalog, health checks), one per KV prefix, and
         * the rest for reading the instances of changed services. The agent allows 200 per client by default.
         */
        @WithDefault("64")
        int maxConnections();
    }

    interface Haproxy {
        /** The haproxy binary that validates candidate configurations ({@code haproxy -c}). */
        @WithDefault("haproxy")
        Path binary();

        /** A validation that takes longer is treated as failed. */
        @WithDefault("60s")
        Duration validationTimeout();
    }
}
