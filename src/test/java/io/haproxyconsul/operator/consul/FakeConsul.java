package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Consul the test answers by hand: it records every question the mirror asks and holds it open until the test
 * answers it or fails it.
 */
final class FakeConsul implements CatalogReads {

    final List<Long> servicesAsked = new ArrayList<>();
    final List<Long> checksAsked = new ArrayList<>();
    /** Every instance read asked for, in order. */
    final List<String> reads = new ArrayList<>();

    private Promise<Answer<Map<String, List<String>>>> services;
    private Promise<Answer<HealthChecks>> checks;
    private final Map<String, Deque<Promise<Answer<List<ServiceInstance>>>>> instances = new HashMap<>();

    @Override
    public Future<Answer<Map<String, List<String>>>> services(long index) {
        servicesAsked.add(index);
        services = Promise.promise();
        return services.future();
    }

    @Override
    public Future<Answer<HealthChecks>> checks(long index) {
        checksAsked.add(index);
        checks = Promise.promise();
        return checks.future();
    }

    @Override
    public Future<Answer<List<ServiceInstance>>> instances(String service) {
        reads.add(service);
        Promise<Answer<List<ServiceInstance>>> read = Promise.promise();
        instances.computeIfAbsent(service, s -> new ArrayDeque<>()).add(read);
        return read.future();
    }

    void answerServices(long index, Map<String, List<String>> catalog) {
        take(services, "catalog").complete(new Answer<>(catalog, index));
    }

    void failServices() {
        take(services, "catalog").fail(new IOException("Connection refused"));
    }

    void answerChecks(long index, HealthChecks answer) {
        take(checks, "checks").complete(new Answer<>(answer, index));
    }

    void failChecks() {
        take(checks, "checks").fail(new IOException("Connection refused"));
    }

    void answerInstances(String service, long index, List<ServiceInstance> answer) {
        next(service).complete(new Answer<>(answer, index));
    }

    void failInstances(String service, Throwable cause) {
        next(service).fail(cause);
    }

    /** Whether a read of this service waits for an answer. */
    boolean reading(String service) {
        var open = instances.get(service);
        return open != null && !open.isEmpty();
    }

    private Promise<Answer<List<ServiceInstance>>> next(String service) {
        var open = instances.get(service);
        if (open == null || open.isEmpty()) {
            throw new AssertionError("no read of " + service + " is open; reads: " + reads);
        }
        return open.poll();
    }

    private <T> Promise<T> take(Promise<T> open, String what) {
        if (open == null || open.future().isComplete()) {
            throw new AssertionError("no query of the " + what + " is open");
        }
        return open;
    }
}
