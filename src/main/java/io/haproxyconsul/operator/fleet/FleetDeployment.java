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
import io.haproxyconsul.operator.api.v1alpha1.FleetSpec;
import io.haproxyconsul.operator.owned.OwnedObjects;
import io.haproxyconsul.operator.publish.PublishedConfigMaps;
import io.haproxyconsul.operator.runtime.PodServers;
import io.haproxyconsul.operator.runtime.RuntimeCredentials;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The HAProxy pods of a binding. The pod template names the configuration they load ({@link FleetTarget}) and
 * carries its hash, so a new structure is a new template and the Deployment rolls, one surge pod at a time, never
 * below the desired count; each pod runs {@code haproxy -c} on it in an init container before HAProxy starts.
 * Servers change in running pods through the Runtime API instead (see {@code runtime.PodServers}); a readiness
 * gate keeps a new pod out of the Service until it serves the current servers.
 */
// Only the operator's own objects are cached: a cluster's other Deployments, Services and budgets are none of its
// business.
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.MANAGED_BY + "=" + OwnedObjects.OPERATOR))
public class FleetDeployment extends CRUDKubernetesDependentResource<Deployment, HaproxyConsulBinding> {

    static final String CONFIG_DIR = "/usr/local/etc/haproxy";
    static final String CONFIG_FILE = CONFIG_DIR + "/" + PublishedConfigMaps.CONFIG_KEY;
    /** A compressed configuration's ConfigMap; the init step unpacks it into CONFIG_DIR, then checks it. */
    static final String PACKED_DIR = "/etc/haproxy-consul";
    /** The haproxy user of the official image: the pods never run as root. */
    static final long HAPROXY_UID = 99;
    /** Long enough for endpoints to drop the pod before HAProxy stops accepting. */
    static final int PRE_STOP_SECONDS = 5;
    /** The pods' Runtime API keys (RuntimeCredentials), of which they mount their certificate and the CA. */
    static final String RUNTIME_API_DIR = "/etc/haproxy-consul/runtime-api";
    /** Written by the init step from the environment, read by HAProxy beside the configuration. */
    static final String RUNTIME_API_CONFIG = "/var/lib/haproxy/runtime-api.cfg";
    static final String RUNTIME_API_SOCKET = "/var/lib/haproxy/runtime-api.sock";

    public FleetDeployment() {
        super(Deployment.class);
    }

    /** Found by name, which needs no spec.fleet: when spec.fleet is gone, this finds what to delete. */
    @Override
    protected ResourceID targetSecondaryResourceID(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        return new ResourceID(OwnedObjects.fleetName(binding), binding.getMetadata().getNamespace());
    }

    @Override
    protected Deployment desired(HaproxyConsulBinding binding, Context<HaproxyConsulBinding> context) {
        var fleet = binding.getSpec().fleet;
        var config = FleetTarget.of(context).orElseThrow();
        var podLabels = new TreeMap<>(fleet.podLabels);
        podLabels.putAll(OwnedObjects.fleetLabels(binding));
        var podAnnotations = new TreeMap<>(fleet.podAnnotations);
        podAnnotations.put(OwnedObjects.CONFIG_HASH_ANNOTATION, config.hash);
        return new DeploymentBuilder()
                .withNewMetadata().withName(OwnedObjects.fleetName(binding))
                .withNamespace(binding.getMetadata().getNamespace()).withLabels(OwnedObjects.fleetLabels(binding))
                .withAnnotations(new TreeMap<>()).endMetadata()
                .withNewSpec()
                .withReplicas(fleet.replicas)
                .withProgressDeadlineSeconds(fleet.progressDeadlineSeconds)
                .withRevisionHistoryLimit(binding.getSpec().rollout.historyLimit)
                .withNewSelector().withMatchLabels(OwnedObjects.selector(binding)).endSelector()
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
                .addNewReadinessGate().withConditionType(PodServers.SYNCED_CONDITION).endReadinessGate()
                .withInitContainers(validator(binding, config))
                .withContainers(haproxy(binding))
                .withVolumes(volumes(binding, config))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * The init step: writes the Runtime API's configuration, unpacks a compressed one, then HAProxy's own check
     * of both files; its output is kept as the termination message.
     */
    private static Container validator(HaproxyConsulBinding binding, PublishedConfig config) {
        var fleet = binding.getSpec().fleet;
        boolean packed = compressed(config);
        var mounts = new ArrayList<>(mounts(packed));
        if (packed) {
            mounts.add(new VolumeMountBuilder().withName("packed").withMountPath(PACKED_DIR).withReadOnly(true)
                    .build());
        }
        String unpack = packed ? "gunzip -c " + PACKED_DIR + "/" + PublishedConfigMaps.COMPRESSED_KEY + " > "
                + CONFIG_FILE + " && " : "";
        var env = new ArrayList<>(statsEnvironment(binding));
        env.add(new EnvVarBuilder().withName("HCO_RUNTIME_API_CONFIG").withValue(runtimeApiConfig(fleet)).build());
        return new ContainerBuilder().withName("validate").withImage(fleet.image)
                .withCommand("sh", "-c", "printf '%s\\n' \"$HCO_RUNTIME_API_CONFIG\" > " + RUNTIME_API_CONFIG + " && "
                        + unpack + "exec haproxy -c -f " + CONFIG_FILE + " -f " + RUNTIME_API_CONFIG)
                .withEnv(env)
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
     * The Runtime API: admin commands on a socket only HAProxy's own user reaches, and that socket offered on
     * {@code runtimeApiPort} to clients whose certificate the binding's CA signed (mutual TLS), and to no one else.
     */
    static String runtimeApiConfig(FleetSpec fleet) {
        return String.join("\n",
                "# Written by haproxy-consul-operator: the operator's channel for changing servers without a reload.",
                "global",
                "    stats socket " + RUNTIME_API_SOCKET + " mode 600 level admin",
                "",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 30s",
                "    timeout server 30s",
                "",
                "listen hco-runtime-api",
                "    bind :" + fleet.runtimeApiPort + " ssl crt " + RUNTIME_API_DIR + "/" + RuntimeCredentials.POD_PEM
                        + " ca-file " + RUNTIME_API_DIR + "/" + RuntimeCredentials.CA_CERT + " verify required",
                "    server runtime-api unix@" + RUNTIME_API_SOCKET);
    }

    /**
     * A plain configuration is mounted straight from its ConfigMap; a compressed one is unpacked by the init step
     * into a pod-local folder that HAProxy then reads: the pod serves exactly the bytes it checked.
     */
    private static List<Volume> volumes(HaproxyConsulBinding binding, PublishedConfig config) {
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
        volumes.add(new VolumeBuilder().withName("runtime-api").withNewSecret()
                .withSecretName(OwnedObjects.runtimeSecretName(binding)).withDefaultMode(0440)
                .addNewItem().withKey(RuntimeCredentials.CA_CERT).withPath(RuntimeCredentials.CA_CERT).endItem()
                .addNewItem().withKey(RuntimeCredentials.POD_PEM).withPath(RuntimeCredentials.POD_PEM).endItem()
                .endSecret().build());
        return volumes;
    }

    private static Container haproxy(HaproxyConsulBinding binding) {
        var fleet = binding.getSpec().fleet;
        var container = new ContainerBuilder().withName("haproxy").withImage(fleet.image)
                // Master-worker in the foreground: the master reaps workers and passes signals on.
                .withCommand("haproxy", "-W", "-db", "-f", CONFIG_FILE, "-f", RUNTIME_API_CONFIG)
                .withEnv(statsEnvironment(binding))
                .addNewPort().withName("http").withContainerPort(binding.getSpec().routing.port)
                .withProtocol("TCP").endPort()
                .addNewPort().withName("runtime-api").withContainerPort(fleet.runtimeApiPort).withProtocol("TCP")
                .endPort()
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
                // The Runtime API's configuration and socket; the root filesystem is read-only.
                new VolumeMountBuilder().withName("run").withMountPath("/var/lib/haproxy").build(),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                new VolumeMountBuilder().withName("runtime-api").withMountPath(RUNTIME_API_DIR).withReadOnly(true)
                        .build());
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
