package io.haproxyconsul.operator.publish;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.render.RenderedConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Publishes configurations as immutable, content-addressed ConfigMaps owned by their binding, and deletes those
 * beyond the binding's history. A plain client rather than a JOSDK dependent resource: a binding owns a growing
 * set of them, each written once and never updated.
 */
@ApplicationScoped
public class PublishedConfigMaps {

    public static final String CONFIG_KEY = "haproxy.cfg";
    /** Where a configuration too large for a plain ConfigMap goes, gzip-compressed. */
    public static final String COMPRESSED_KEY = "haproxy.cfg.gz";
    public static final String GZIP = "gzip";
    /** Larger configurations are stored compressed: thousands of services make several MiB of text. */
    static final int PLAIN_LIMIT = 768 * 1024;
    /** The API server refuses ConfigMaps above 1 MiB of data; keep room for metadata. */
    static final int STORED_LIMIT = 1000 * 1024;

    private final KubernetesClient client;

    public PublishedConfigMaps(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @throws ConfigTooLargeException when even compressed the configuration does not fit in a ConfigMap
     */
    public PublishedConfig publish(HaproxyConsulBinding binding, RenderedConfig config) {
        String hash = config.hash().value();
        byte[] text = config.text().getBytes(StandardCharsets.UTF_8);
        byte[] compressed = text.length > PLAIN_LIMIT ? gzip(text) : null;
        if (compressed != null && compressed.length > STORED_LIMIT) {
            throw new ConfigTooLargeException("configuration " + hash + " has " + text.length + " bytes, "
                    + compressed.length + " compressed: more than a ConfigMap holds (" + STORED_LIMIT + ")");
        }
        var builder = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(OwnedObjects.configMapName(binding, hash))
                .withNamespace(binding.getMetadata().getNamespace())
                .withLabels(OwnedObjects.configLabels(binding, hash))
                .withOwnerReferences(OwnedObjects.ownerReference(binding))
                .endMetadata()
                .withImmutable(true);
        var configMap = compressed == null ? builder.withData(Map.of(CONFIG_KEY, config.text())).build()
                : builder.withBinaryData(Map.of(COMPRESSED_KEY, Base64.getEncoder().encodeToString(compressed))).build();
        try {
            client.configMaps().resource(configMap).create();
        } catch (KubernetesClientException e) {
            // The name is the content hash: an existing one already holds these exact bytes.
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
        var published = new PublishedConfig();
        published.hash = hash;
        published.configMapName = configMap.getMetadata().getName();
        published.services = config.services();
        published.servers = config.servers();
        published.bytes = config.bytes();
        published.structureHash = config.structure().hash();
        published.encoding = compressed == null ? null : GZIP;
        return published;
    }

    /** The haproxy.cfg a published ConfigMap holds, plain or compressed. */
    public static String text(ConfigMap configMap) {
        if (configMap.getData() != null && configMap.getData().containsKey(CONFIG_KEY)) {
            return configMap.getData().get(CONFIG_KEY);
        }
        byte[] compressed = Base64.getDecoder().decode(configMap.getBinaryData().get(COMPRESSED_KEY));
        try (var in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("ConfigMap " + configMap.getMetadata().getName() + " is not gzip", e);
        }
    }

    private static byte[] gzip(byte[] text) {
        var out = new ByteArrayOutputStream(text.length / 8);
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Even compressed, the configuration does not fit in a ConfigMap. */
    public static final class ConfigTooLargeException extends RuntimeException {
        ConfigTooLargeException(String message) {
            super(message);
        }
    }

    /** Deletes one of the binding's ConfigMaps: a candidate HAProxy refused after it was written. */
    public void withdraw(HaproxyConsulBinding binding, String configMapName) {
        client.configMaps().inNamespace(binding.getMetadata().getNamespace()).withName(configMapName).delete();
    }

    /** Deletes the oldest of the binding's ConfigMaps beyond {@code historyLimit}, never one in {@code keep}. */
    public void prune(HaproxyConsulBinding binding, int historyLimit, Set<String> keep) {
        var owned = client.configMaps().inNamespace(binding.getMetadata().getNamespace())
                .withLabel(OwnedObjects.BINDING_LABEL, binding.getMetadata().getName()).list().getItems().stream()
                .filter(cm -> cm.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> Objects.equals(ref.getUid(), binding.getMetadata().getUid())))
                .sorted(Comparator.comparing((ConfigMap cm) -> cm.getMetadata().getCreationTimestamp()).reversed()
                        .thenComparing(cm -> cm.getMetadata().getName()))
                .toList();
        int kept = 0;
        for (var cm : owned) {
            String name = cm.getMetadata().getName();
            if (keep.contains(name)) {
                kept++;
            }
        }
        int room = Math.max(0, historyLimit - kept);
        for (var cm : owned) {
            String name = cm.getMetadata().getName();
            if (keep.contains(name)) {
                continue;
            }
            if (room > 0) {
                room--;
                continue;
            }
            client.configMaps().resource(cm).delete();
        }
    }
}
