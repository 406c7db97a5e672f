package io.haproxyconsul.operator.fleet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.haproxyconsul.operator.api.v1alpha1.HaproxyConsulBinding;
import io.haproxyconsul.operator.api.v1alpha1.PublishedConfig;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The HAProxy pods of a binding. The pod template names the current ConfigMap and carries its hash, so a new
 * configuration is a new template and the Deployment rolls, one surge pod at a time, never below the desired
 * count; each pod runs {@code haproxy -c} on it in an init container before HAProxy starts.
 */
public class FleetDeployment extends CRUDKubernetesDependentResource<Deployment, HaproxyConsulBinding> {

    static final String CONFIG_DIR = "/usr/local/etc/haproxy";
    static final String CONFIG_FILE = CONFIG_DIR + "/" + PublishedConfigMaps.CONFIG_KEY;
    /** A compressed configuration's ConfigMap; the init step unpacks it into CONFIG_DIR, then checks it. */
    static final String PACKED_DIR = "/etc/haproxy-consul";
    /** The haproxy user of the official image: the pods never run as root. */
    static final long HAPROXY_UID = 99;
    /** Long enough for endpoints to drop the pod before HAProxy stops accepting. */
    static final int PRE_STOP_SECONDS = 5;

    public FleetDeployment() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        var fleet = binding.getSpec().fleet;
        var config = binding.getStatus().currentConfig;
        var podLabels = new TreeMap<>(fleet.podLabels);
        podLabels.putAll(FleetLabels.objectLabels(binding));
        var podAnnotations = new TreeMap<>(fleet.podAnnotations);
        podAnnotations.put(FleetLabels.CONFIG_HASH_ANNOTATION, config.hash);
        return new DeploymentBuilder()
                .withNewMetadata().withName(FleetLabels.objectName(binding))
                .withNamespace(binding.getMetadata().getNamespace()).withLabels(FleetLabels.objectLabels(binding))
                .withAnnotations(new TreeMap<>()).endMetadata()
                .withNewSpec()
                .withReplicas(fleet.replicas)
                .withProgressDeadlineSeconds(fleet.progressDeadlineSeconds)
                .withRevisionHistoryLimit(binding.getSpec().rollout.historyLimit)
                .withNewSelector().withMatchLabels(FleetLabels.selector(binding)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(HAPROXY_UID)
                .withRunAsGroup(HAPROXY_UID).withFsGroup(HAPROXY_UID).withNewSeccompProfile()
                .withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withTerminationGracePeriodSeconds((long) fleet.drainSeconds + PRE_STOP_SECONDS)
                .withNodeSelector(fleet.nodeSelector.isEmpty() ? null : fleet.nodeSelector)
                .withTolerations(fleet.tolerations.isEmpty() ? null : fleet.tolerations)
                .withAffinity(fleet.affinity)
                .withInitContainers(validator(binding))
                .withContainers(haproxy(binding))
                .withVolumes(configVolumes(config))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** The init step: HAProxy's own check of the mounted file, its output kept as the termination message. */
    private static Container validator(HaproxyConsulBinding binding) {
        var fleet = binding.getSpec().fleet;
        boolean packed = compressed(binding.getStatus().currentConfig);
        var mounts = new ArrayList<>(mounts(packed));
        if (packed) {
            mounts.add(new VolumeMountBuilder().withName("packed").withMountPath(PACKED_DIR).withReadOnly(true)
                    .build());
        }
        return new ContainerBuilder().withName("validate").withImage(fleet.image)
                .withCommand(packed ? List.of("sh", "-c", "gunzip -c " + PACKED_DIR + "/"
                        + PublishedConfigMaps.COMPRESSED_KEY + " > " + CONFIG_FILE + " && exec haproxy -c -f "
                        + CONFIG_FILE) : List.of("haproxy", "-c", "-f", CONFIG_FILE))
                .withEnv(statsEnvironment(binding))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withResources(fleet.resources)
                .withSecurityContext(restricted())
                .withVolumeMounts(mounts)
                .build();
    }

    private static boolean compressed(PublishedConfig config) {
        return PublishedConfigMaps.GZIP.equals(config.encoding);
    }

    /**
     * A plain configuration is mounted straight from its ConfigMap; a compressed one is unpacked by the init step
     * into a pod-local folder that HAProxy then reads: the pod serves exactly the bytes it checked.
     */
    private static List<Volume> configVolumes(PublishedConfig config) {
        var volumes = new ArrayList<Volume>();
        if (compressed(config)) {
            volumes.add(new VolumeBuilder().withName("config").withNewEmptyDir().endEmptyDir().build());
            volumes.add(new VolumeBuilder().withName("packed").withNewConfigMap().withName(config.configMapName)
                    .endConfigMap().build());
        } else {
            volumes.add(new VolumeBuilder().withName("config").withNewConfigMap().withName(config.configMapName)
                    .endConfigMap().build());
        }
        volumes.add(new VolumeBuilder().withName("run").withNewEmptyDir().endEmptyDir().build());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        return volumes;
    }

    private static Container haproxy(HaproxyConsulBinding binding) {
        var fleet = binding.getSpec().fleet;
        var container = new ContainerBuilder().withName("haproxy").withImage(fleet.image)
                // Master-worker in the foreground: the master reaps workers and passes signals on.
                .withCommand("haproxy", "-W", "-db", "-f", CONFIG_FILE)
                .withEnv(statsEnvironment(binding))
                .addNewPort().withName("http").withContainerPort(binding.getSpec().routing.port)
                .withProtocol("TCP").endPort()
                .withReadinessProbe(tcpProbe(2, 5, 2))
                .withLivenessProbe(tcpProbe(10, 10, 3))
                .withNewLifecycle().withNewPreStop().withNewExec()
                .withCommand("sleep", String.valueOf(PRE_STOP_SECONDS)).endExec().endPreStop().endLifecycle()
                .withResources(fleet.resources)
                .withSecurityContext(restricted())
                .withVolumeMounts(mounts(false));
        if (binding.getSpec().stats != null) {
            container.addNewPort().withName("stats").withContainerPort(binding.getSpec().stats.port)
                    .withProtocol("TCP").endPort();
        }
        return container.build();
    }

    private static Probe tcpProbe(int initialDelay, int period, int failureThreshold) {
        return new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString("http")).endTcpSocket()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period)
                .withFailureThreshold(failureThreshold).build();
    }

    private static SecurityContext restricted() {
        return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true).withNewCapabilities().withDrop("ALL").endCapabilities().build();
    }

    private static List<VolumeMount> mounts(boolean configWritable) {
        return List.of(
                new VolumeMountBuilder().withName("config").withMountPath(CONFIG_DIR).withReadOnly(!configWritable)
                        .build(),
                // server-state-file and sockets; the root filesystem is read-only.
                new VolumeMountBuilder().withName("run").withMountPath("/var/lib/haproxy").build(),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    }

    /** The stats page's credentials, read by HAProxy from the environment: never in the ConfigMap. */
    private static List<EnvVar> statsEnvironment(HaproxyConsulBinding binding) {
        var stats = binding.getSpec().stats;
        if (stats == null) {
            return List.of();
        }
        var env = new ArrayList<EnvVar>();
        for (String key : List.of("username", "password")) {
            env.add(new EnvVarBuilder().withName("STATS_" + key.toUpperCase(java.util.Locale.ROOT))
                    .withNewValueFrom().withNewSecretKeyRef().withName(stats.credentialsSecretName).withKey(key)
                    .endSecretKeyRef().endValueFrom().build());
        }
        return env;
    }
}
