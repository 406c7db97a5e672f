package io.haproxyconsul.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haproxyconsul.operator.testenv.ConsulAgent;
import io.haproxyconsul.operator.testenv.OperatorEnvironment;
import io.haproxyconsul.operator.testenv.RealParts;
import io.haproxyconsul.operator.testenv.RealParts.Part;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a binding refers to besides Consul: the user's template, which may not parse, may render a configuration
 * HAProxy refuses, and may be edited; and the Secret holding the ACL token, which may be fixed. Each change is
 * followed without any change in Consul.
 */
@QuarkusTest
@WithTestResource(OperatorEnvironment.class)
class BindingInputsIT {

    private static final String TEMPLATE = """
            global
                maxconn {model.globals.maxconn}
            defaults
                mode http
                timeout connect 5s
                timeout client 5s
                timeout server 5s
            frontend http
                bind :{model.frontend.port}
                http-request set-header X-Team {params.team}
            {#for backend in model.backends}
            backend {backend.name}
            {#for server in backend.servers}
                server {server.name} {server.address}:{server.port} check  # {server.instance}
            {/for}
            {/for}
            """;

    OperatorEnvironment env;

    @Test
    void aUserTemplateIsFollowedWhenItsConfigMapChangesAndABrokenOneKeepsTheLastGoodConfig() {
        env.consul().registerService("templated", "templated-1", List.of("http"), "127.0.0.1", 31900);
        var edge = new BindingFixture(env.controlPlane(), "templated");
        template(edge, TEMPLATE.replace("{params.team}", "platform"));
        edge.apply(spec(env.consul(), "templated", """
                  template:
                    configMapRef: {name: my-template, key: haproxy.cfg.qute}
                """));
        edge.awaitReady();
        assertThat(edge.currentConfig()).contains("X-Team platform", BindingFixture.server("templated-1",
                "127.0.0.1:31900"));
        String good = edge.binding().getStatus().currentConfig.hash;

        template(edge, TEMPLATE.replace("{params.team}", "edge"));
        edge.awaitConfig("the edited template, with no Consul change", text -> text.contains("X-Team edge"));

        template(edge, TEMPLATE.replace("{#for backend in model.backends}", "{#for backend in model.backends"));
        await("TemplateInvalid").atMost(BindingFixture.PUBLISH).untilAsserted(() -> assertThat(edge.condition(
                "ConfigValid")).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("TemplateInvalid");
                }));
        assertThat(edge.currentConfig()).contains("X-Team edge");

        template(edge, TEMPLATE.replace("{params.team}", "edge").replace("    mode http", "    mode bogus"));
        await("HAProxy refuses what the template renders").atMost(BindingFixture.PUBLISH).untilAsserted(() ->
                assertThat(edge.condition("ConfigValid")).hasValueSatisfying(c -> {
                    assertThat(c.getReason()).isEqualTo("ValidationFailed");
                    assertThat(c.getMessage()).contains("bogus");
                }));
        assertThat(edge.binding().getStatus().lastValidationError).contains("bogus");
        assertThat(edge.currentConfig()).contains("X-Team edge");
        assertThat(edge.binding().getStatus().currentConfig.hash).isNotEqualTo(good);
    }

    @Test
    void aFixedTokenSecretIsFollowedWithNoChangeInConsul() {
        try (var secured = ConsulAgent.startWithAcls(RealParts.require(Part.CONSUL))) {
            secured.registerService("tokened", "tokened-1", List.of("http"), "127.0.0.1", 31901);
            String reader = secured.createToken("""
                    service_prefix "" { policy = "read" }
                    node_prefix "" { policy = "read" }
                    key_prefix "" { policy = "read" }
                    """);
            var edge = new BindingFixture(env.controlPlane(), "tokened");
            env.controlPlane().kubectl("create", "secret", "generic", "consul-token", "-n", edge.namespace,
                    "--from-literal=token=not-the-token").assertSuccess();
            edge.apply(spec(secured, "tokened", "").replace("    address: " + secured.httpAddress() + "\n",
                    "    address: " + secured.httpAddress() + "\n    tokenSecretRef: {name: consul-token, key: token}\n"));
            await("the wrong token is refused").atMost(BindingFixture.PUBLISH).until(() -> edge.condition(
                    "ConsulSynced").filter(c -> "ConsulUnreachable".equals(c.getReason())).isPresent());

            env.controlPlane().apply(env.controlPlane().kubectl("create", "secret", "generic", "consul-token", "-n",
                    edge.namespace, "--from-literal=token=" + reader, "--dry-run=client", "-o", "yaml").output())
                    .assertSuccess();

            edge.awaitReady(Duration.ofSeconds(90));
            assertThat(edge.currentConfig()).contains(BindingFixture.server("tokened-1", "127.0.0.1:31901"));
        }
    }

    private void template(BindingFixture edge, String text) {
        var yaml = env.controlPlane().kubectl("create", "configmap", "my-template", "-n", edge.namespace,
                "--from-literal=haproxy.cfg.qute=" + text, "--dry-run=client", "-o", "yaml");
        yaml.assertSuccess();
        env.controlPlane().apply(yaml.output()).assertSuccess();
    }

    private static String spec(ConsulAgent consul, String service, String extra) {
        return """
                  consul:
                    address: %s
                  services:
                    include: ["%s"]
                  routing:
                    domain: %s.test
                  rollout:
                    debounce: {min: 100ms, max: 500ms}
                %s""".formatted(consul.httpAddress(), service, service, extra);
    }
}
