package io.haproxyconsul.operator.consul;

import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.CRITICAL;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.PASSING;
import static io.haproxyconsul.operator.consul.ServiceInstance.HealthStatus.WARNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsulAnswersTest {

    @Test
    void theCatalogListsTagsSortedSoThatAnUnchangedCatalogIsAnEqualValue() {
        var catalog = ConsulAnswers.catalog(new JsonObject("""
                {"consul": [], "web": ["v2", "http"], "old": null}
                """));

        assertThat(catalog).containsExactly(Map.entry("consul", List.of()), Map.entry("old", List.of()),
                Map.entry("web", List.of("http", "v2")));
    }

    @Test
    void anInstanceIsReachedAtItsNodeWithoutAnAddressOfItsOwnAndIsAsHealthyAsItsWorstCheck() {
        var instances = ConsulAnswers.instances(new JsonArray("""
                [
                  {"Node": {"Node": "n2", "Address": "10.0.0.2"},
                   "Service": {"ID": "web-2", "Service": "web", "Tags": ["http"], "Address": "", "Port": 8080},
                   "Checks": [{"Status": "passing"}, {"Status": "warning"}]},
                  {"Node": {"Node": "n1", "Address": "10.0.0.1"},
                   "Service": {"ID": "web-1", "Service": "web", "Tags": null, "Address": "192.0.2.1", "Port": 80},
                   "Checks": [{"Status": "passing"}, {"Status": "maintenance"}]},
                  {"Node": {"Node": "n3", "Address": "10.0.0.3"},
                   "Service": {"ID": "web-3", "Service": "web", "Port": 81}, "Checks": []}
                ]
                """));

        assertThat(instances).containsExactly(
                new ServiceInstance("web-1", "n1", "192.0.2.1", 80, List.of(), CRITICAL),
                new ServiceInstance("web-2", "n2", "10.0.0.2", 8080, List.of("http"), WARNING),
                new ServiceInstance("web-3", "n3", "10.0.0.3", 81, List.of(), PASSING));
    }

    @Test
    void kvValuesAreDecodedAndAKeyWithoutAValueIsEmpty() {
        var values = ConsulAnswers.values(new JsonArray("""
                [{"Key": "service/haproxy/maxconn", "Value": "MjAwMA=="}, {"Key": "service/haproxy/", "Value": null}]
                """));

        assertThat(values).containsExactly(Map.entry("service/haproxy/", ""),
                Map.entry("service/haproxy/maxconn", "2000"));
    }

    @Test
    void aPathSegmentEscapesEverythingButUnreservedCharacters() {
        assertThat(ConsulApi.segment("web.v2-a_b~c")).isEqualTo("web.v2-a_b~c");
        assertThat(ConsulApi.segment("a b/é")).isEqualTo("a%20b%2F%C3%A9");
    }
}
