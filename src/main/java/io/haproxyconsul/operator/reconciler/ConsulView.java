package io.haproxyconsul.operator.reconciler;

import java.util.Optional;

/**
 * What the binding's watches say of Consul: whether they have all answered, and why one cannot read now.
 */
record ConsulView(boolean answered, Optional<String> unreachable) {
}
