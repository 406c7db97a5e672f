package io.haproxyconsul.operator.runtime;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.owned.OwnedObjects;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Secret of each binding that holds its {@link RuntimeCredentials}: made once, owned by the binding (deleted
 * with it), read back after an operator restart. A Secret rather than operator memory, so the pods can mount
 * their certificate and every operator replica talks to them with the same keys.
 */
@ApplicationScoped
public class RuntimeSecrets {

    private final KubernetesClient client;
    private final Clock clock;
    /** Binding UID → its credentials; a Secret is never rewritten, so what was read stays true. */
    private final Map<String, RuntimeCredentials> known = new ConcurrentHashMap<>();

    @Inject
    public RuntimeSecrets(KubernetesClient client) {
        this(client, Clock.systemUTC());
    }

    RuntimeSecrets(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public RuntimeCredentials credentials(HaproxyConsulBinding binding) {
        return known.computeIfAbsent(binding.getMetadata().getUid(), uid -> readOrCreate(binding));
    }

    public void forget(HaproxyConsulBinding binding) {
        known.remove(binding.getMetadata().getUid());
    }

    private RuntimeCredentials readOrCreate(HaproxyConsulBinding binding) {
        var secrets = client.secrets().inNamespace(binding.getMetadata().getNamespace());
        String name = OwnedObjects.runtimeSecretName(binding);
        var existing = secrets.withName(name).get();
        if (existing != null) {
            return usable(existing);
        }
        var credentials = RuntimeCredentials.generate(binding.getMetadata().getNamespace() + " "
                + binding.getMetadata().getName(), clock.instant());
        var encoded = new TreeMap<String, String>();
        credentials.data().forEach((key, value) -> encoded.put(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        var secret = new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(binding.getMetadata().getNamespace()).withLabels(OwnedObjects.fleetLabels(binding))
                .withOwnerReferences(OwnedObjects.ownerReference(binding))
                .endMetadata().withType("Opaque").withData(encoded).build();
        try {
            secrets.resource(secret).create();
            return credentials;
        } catch (KubernetesClientException e) {
            // Another replica made it first: use theirs.
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return usable(secrets.withName(name).get());
            }
            throw e;
        }
    }

    private static RuntimeCredentials usable(Secret secret) {
        var decoded = new TreeMap<String, String>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> decoded.put(key,
                    new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        var credentials = RuntimeCredentials.of(decoded);
        if (!credentials.complete()) {
            throw new IllegalStateException("Secret " + secret.getMetadata().getName() + " lacks some of the keys "
                    + RuntimeCredentials.KEYS + ": delete it and the operator makes a new one");
        }
        return credentials;
    }
}
