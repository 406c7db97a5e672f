package io.haproxyconsul.operator.reconciler;

import io.haproxyconsul.operator.fleet.FleetOutcome;
import io.haproxyconsul.operator.publish.Publication;
import java.util.List;

/**
 * What each stage of one reconcile returned, from which {@link BindingStatusBuilder} decides the status. A null
 * stage did not run this time (its part of the status stays as it was).
 *
 * @param invalidSpec why the spec cannot be acted on (a missing Secret, a bad pattern), or null
 * @param rejectedValues Consul and KV values the routing model left out
 * @param fleet null when the binding has no fleet
 */
record LoopOutcome(String invalidSpec, ConsulView consul, List<String> rejectedValues, Publication publication,
        FleetOutcome fleet) {

    static LoopOutcome invalidSpec(String message, FleetOutcome fleet) {
        return new LoopOutcome(message, null, null, null, fleet);
    }

    static LoopOutcome waiting(ConsulView consul, FleetOutcome fleet) {
        return new LoopOutcome(null, consul, null, null, fleet);
    }
}
