package io.haproxyconsul.operator.leadership;

/**
 * Ends the process at once, shutdown hooks and in-flight reconciliations included: a replica that may no longer
 * lead must not write again. Kubernetes restarts the pod, which then stands by.
 */
@FunctionalInterface
interface Halt {

    void halt(String reason);
}
