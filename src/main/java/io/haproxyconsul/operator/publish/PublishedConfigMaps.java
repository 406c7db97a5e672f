package io.haproxyconsul.operator.publish;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
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
import java.util.List;
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
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "haproxy-consul-operator";
    public static final String BINDING_LABEL = "haproxyconsul.io/binding";
    public static final String HASH_LABEL = "haproxyconsul.io/config-hash";

    private final KubernetesClient client;

    public PublishedConfigMaps(KubernetesClient client) {
        this.client = client;
    }

    /** {@code <binding>-<hash>}, the binding name shortened so the whole stays a valid object name. */
    public static String name(HaproxyConsulBinding binding, String hash) {
        String base = binding.getMetadata().getName();
        int room = 253 - hash.length() - 1;
        if (base.length() > room) {
            base = base.substring(0, room).replaceAll("[-.]+$", "");
        }
        return base + "-" + hash;
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
                .withName(name(binding, hash))
                .withNamespace(binding.getMetadata().getNamespace())
                .withLabels(Map.of(MANAGED_BY, OPERATOR, BINDING_LABEL, binding.getMetadata().getName(), HASH_LABEL, hash))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(binding.getApiVersion())
                        .withKind(binding.getKind()).withName(binding.getMetadata().getName())
                        .withUid(binding.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                        .build())
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

    /** Deletes the oldest of the binding's ConfigMaps beyond {@code historyLimit}, never one in {@code keep}. */
    public List<String> prune(HaproxyConsulBinding binding, int historyLimit, Set<String> keep) {
        var owned = client.configMaps().inNamespace(binding.getMetadata().getNamespace())
                .withLabel(BINDING_LABEL, binding.getMetadata().getName()).list().getItems().stream()
                .filter(cm -> cm.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> Objects.equals(ref.getUid(), binding.getMetadata().getUid())))
                .sorted(Comparator.comparing((ConfigMap cm) -> cm.getMetadata().getCreationTimestamp()).reversed()
                        .thenComparing(cm -> cm.getMetadata().getName()))
                .toList();
        int kept = 0;
        var deleted = new java.util.ArrayList<String>();
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
            deleted.add(name);
        }
        return deleted;
    }
}
