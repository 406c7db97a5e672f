package io.haproxyconsul.operator.runtime;

/**
 * One {@code server} line of a running HAProxy, as {@code show servers state} reports it: a slot that the
 * operator fills with an instance, empties, or moves to another instance at run time.
 *
 * @param address the IP address HAProxy uses (unbracketed for IPv6)
 * @param fqdn the DNS name the line was configured with, or null
 * @param adminState HAProxy's {@code srv_admin_state} bits
 */
public record ServerSlot(String backend, int id, String name, String address, int port, String fqdn,
        int adminState) {

    /** SRV_ADMF_FMAINT | SRV_ADMF_IMAINT | SRV_ADMF_RMAINT: any kind of maintenance. */
    private static final int MAINTENANCE = 0x23;

    /** A slot in maintenance takes no traffic: it is free to hold a new instance. */
    public boolean inMaintenance() {
        return (adminState & MAINTENANCE) != 0;
    }

    /** Whether this slot sends its traffic to {@code endpoint}. */
    public boolean serves(Endpoint endpoint) {
        return endpoint.port() == port
                && (endpoint.host().equals(address) || endpoint.host().equalsIgnoreCase(fqdn));
    }
}
