package io.haproxyconsul.operator.consul;

import io.haproxyconsul.operator.consul.BlockingWatch.Answer;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/** The reads the catalog mirror makes of one Consul: HTTP requests in the operator, answered by hand in tests. */
interface CatalogReads {

    /** The catalog's service list, name → tags; blocks at {@code index} unless it is 0. */
    Future<Answer<Map<String, List<String>>>> services(long index);

    /** Every health check's state; blocks at {@code index} unless it is 0. */
    Future<Answer<HealthChecks>> checks(long index);

    /** One service's instances, at once. Fails with {@link ConsulRefusal} when Consul answers but not with them. */
    Future<Answer<List<ServiceInstance>>> instances(String service);
}
