package io.haproxyconsul.operator.leadership;

/** The Lease the operator's replicas compete for, and this replica's identity in it. */
record LeaseClaim(String namespace, String name, String identity) {
}
