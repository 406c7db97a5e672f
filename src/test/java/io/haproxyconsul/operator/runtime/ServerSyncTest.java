package io.haproxyconsul.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSyncTest {

    /** As HAProxy 2.6 answers: srv1 and srv2 serve, srv3 and srv4 are spare slots in maintenance. */
    static final String STATE = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight \
            srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state \
            srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port \
            srv_check_addr srv_agent_addr srv_agent_port
            3 be_web 1 srv1 10.0.0.1 2 0 1 1 12 6 3 4 6 0 0 0 - 8080 - 0 0 - - 0
            3 be_web 2 srv2 10.0.0.2 2 0 1 1 12 6 3 4 6 0 0 0 - 8080 - 0 0 - - 0
            3 be_web 3 srv3 127.0.0.1 0 5 1 1 12 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
            3 be_web 4 srv4 127.0.0.1 0 5 1 1 12 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
            4 be_api 1 srv1 10.0.1.1 2 4 1 1 12 6 3 4 6 0 0 0 - 9000 - 0 0 - - 0

            """;

    private final ServersState state = ServersState.parse(STATE);

    @Test
    void readsEverySlotOfEveryBackend() {
        assertThat(state.backends()).containsOnlyKeys("be_web", "be_api");
        assertThat(state.backends().get("be_web")).extracting(ServerSlot::name)
                .containsExactly("srv1", "srv2", "srv3", "srv4");
        assertThat(state.backends().get("be_web").get(2).inMaintenance()).isTrue();
        // 4 is "configured disabled" only: a slot that left maintenance at run time serves.
        assertThat(state.backends().get("be_api").get(0).inMaintenance()).isFalse();
    }

    @Test
    void serversAlreadyServedNeedNoCommand() {
        var sync = ServerSync.plan(state, Map.of("be_web", List.of(endpoint("10.0.0.2"), endpoint("10.0.0.1"))));

        assertThat(sync.commands()).isEmpty();
        assertThat(sync.complete()).isTrue();
    }

    @Test
    void aNewInstanceTakesAFreeSlotInMaintenance() {
        var sync = ServerSync.plan(state, Map.of("be_web", List.of(endpoint("10.0.0.1"), endpoint("10.0.0.2"),
                endpoint("10.0.0.3"))));

        assertThat(sync.commands()).containsExactly("set server be_web/srv3 addr 10.0.0.3 port 8080",
                "set server be_web/srv3 state ready");
    }

    @Test
    void aLeavingInstanceGoesIntoMaintenanceSoItsRequestsInFlightFinish() {
        var sync = ServerSync.plan(state, Map.of("be_web", List.of(endpoint("10.0.0.2"))));

        assertThat(sync.commands()).containsExactly("set server be_web/srv1 state maint");
    }

    @Test
    void aNewInstanceTakesTheSlotOfOneThatLeftInOneStepAndAdditionsComeFirst() {
        var sync = ServerSync.plan(state, Map.of("be_web", List.of(endpoint("10.0.0.9"), endpoint("10.0.0.8"),
                endpoint("10.0.0.7"))));

        assertThat(sync.commands()).containsExactly(
                "set server be_web/srv1 addr 10.0.0.7 port 8080",
                "set server be_web/srv2 addr 10.0.0.8 port 8080",
                "set server be_web/srv3 addr 10.0.0.9 port 8080",
                "set server be_web/srv3 state ready");
    }

    @Test
    void aNewPortIsANewServer() {
        var sync = ServerSync.plan(state, Map.of("be_api", List.of(new Endpoint("10.0.1.1", 9001))));

        assertThat(sync.commands()).containsExactly("set server be_api/srv1 addr 10.0.1.1 port 9001");
    }

    @Test
    void moreInstancesThanSlotsNeedANewConfiguration() {
        var sync = ServerSync.plan(state, Map.of("be_api", List.of(endpoint("10.0.1.1"), endpoint("10.0.1.2"))));

        assertThat(sync.complete()).isFalse();
        assertThat(sync.unsynced()).containsOnlyKeys("be_api");
        assertThat(sync.unsynced().get("be_api")).contains("no free server slot");
    }

    @Test
    void aBackendTheRunningConfigurationLacksOrADnsNameNeedANewConfiguration() {
        var sync = ServerSync.plan(state, Map.of("be_new", List.of(endpoint("10.0.2.1")),
                "be_web", List.of(endpoint("10.0.0.1"), endpoint("10.0.0.2"), new Endpoint("web.example", 80))));

        assertThat(sync.unsynced()).containsOnlyKeys("be_new", "be_web");
        assertThat(sync.unsynced().get("be_web")).contains("DNS name");
    }

    @Test
    void twoInstancesOnOneAddressTakeTwoSlots() {
        var sync = ServerSync.plan(state, Map.of("be_web", List.of(endpoint("10.0.0.1"), endpoint("10.0.0.1"),
                endpoint("10.0.0.2"))));

        assertThat(sync.commands()).containsExactly("set server be_web/srv3 addr 10.0.0.1 port 8080",
                "set server be_web/srv3 state ready");
    }

    @Test
    void anIpv6ServerIsComparedWithoutBrackets() {
        var v6 = ServersState.parse(STATE.replace("10.0.1.1 2 4", "fd00::1 2 4"));

        assertThat(ServerSync.plan(v6, Map.of("be_api", List.of(Endpoint.of("[fd00::1]", 9000)))).commands())
                .isEmpty();
    }

    private static Endpoint endpoint(String ip) {
        return new Endpoint(ip, 8080);
    }
}
