#!/usr/bin/env bash
# The host side of the tests' real Kubernetes node: its bridge and routes, the guard that keeps pod
# and Service traffic on this machine, and the clean-up of everything the node's processes leave
# behind. The processes themselves (containerd, kubelet, kube-proxy, kube-scheduler) are started by
# the Java test support (src/test/java/.../testenv/RealNode.java), which calls this script.
#
#   bash hack/node.sh settings      # the node's fixed names and ranges, NAME=value lines
#   bash hack/node.sh net-up        # bridge, Service route, forwarding guard, sysctls
#   bash hack/node.sh cgroup-root   # the kubelet's cgroup root in every hierarchy
#   bash hack/node.sh clean         # removes every trace of a node, a running one or one killed half-way
#   bash hack/node.sh check-clean   # exits 1 naming whatever a node left behind
#
# One node per machine: its names are fixed, so that a run killed half-way is found and cleaned by
# the next one. Needs root (network, cgroups, mounts).
set -euo pipefail

NODE_ROOT="${HCO_NODE_ROOT:-/var/lib/haproxy-consul-operator-node}"
BRIDGE=hco0
BRIDGE_ADDRESS=10.234.0.1
POD_CIDR=10.234.0.0/16
SERVICE_CIDR=10.235.0.0/24
CGROUP_ROOT=hco-node
GUARD_TABLE=hco_node_guard
CNI_NETWORK=hco-node
# What the node's own components create: kube-proxy's nftables tables, the chains the kubelet
# and kube-proxy create through iptables (KUBE-*), libcni's cache, the kubelet's log links.
KUBE_PROXY_TABLES=("ip kube-proxy" "ip6 kube-proxy")
CNI_CACHE=/var/lib/cni
CONTAINER_LOG_LINKS=/var/log/containers

die() {
  printf 'node: %s\n' "$*" >&2
  exit 1
}

cmd_settings() {
  printf '%s\n' "NODE_ROOT=$NODE_ROOT" "BRIDGE=$BRIDGE" "BRIDGE_ADDRESS=$BRIDGE_ADDRESS" "POD_CIDR=$POD_CIDR" \
    "SERVICE_CIDR=$SERVICE_CIDR" "CGROUP_ROOT=$CGROUP_ROOT" "CNI_NETWORK=$CNI_NETWORK"
}

cgroup_dirs() { # every hierarchy's copy of the node's cgroup root
  local h
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CGROUP_ROOT" ] && printf '%s\n' "$h$CGROUP_ROOT"
  done
  return 0
}

cmd_net_up() {
  [ "$(id -u)" = 0 ] || die "needs root"
  if ip route show | grep -v "dev $BRIDGE" | grep -qE "^(${POD_CIDR%/*}|${SERVICE_CIDR%/*})"; then
    die "$POD_CIDR or $SERVICE_CIDR is already routed on this machine: the node's ranges would collide"
  fi
  mkdir -p "$NODE_ROOT"
  # Forwarding settings and nft tables as they were, for clean to restore.
  [ -f "$NODE_ROOT.sysctl" ] || sysctl -n net.ipv4.ip_forward >"$NODE_ROOT.sysctl"
  [ -f "$NODE_ROOT.nft-before" ] || nft list tables | awk '{ print $2, $3 }' >"$NODE_ROOT.nft-before"
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$BRIDGE_ADDRESS/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # A ClusterIP that kube-proxy has not programmed yet times out on the bridge instead of
  # following the default route off this machine.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE"
  modprobe br_netfilter 2>/dev/null || true
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || die "br_netfilter is not available"
  # Pod to Service to pod on one bridge goes through kube-proxy's rules only with this on.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
  # Forwarding is on for the bridge's sake: nothing may be forwarded between the bridge and any
  # other interface, so pods and Services reach only this machine and each other.
  nft -f - <<EOF
table inet $GUARD_TABLE
delete table inet $GUARD_TABLE
table inet $GUARD_TABLE {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "$BRIDGE" oifname != "$BRIDGE" drop
    oifname "$BRIDGE" iifname != "$BRIDGE" drop
  }
}
EOF
}

# The kubelet's --cgroup-root in every hierarchy; cpuset needs its parent's cpus and mems to take tasks.
cmd_cgroup_root() {
  local h d
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -e "${h}cgroup.procs" ] || continue
    d="$h$CGROUP_ROOT"
    mkdir -p "$d"
    if [ -e "$d/cpuset.cpus" ] && [ -z "$(cat "$d/cpuset.cpus")" ]; then
      cat "${h}cpuset.cpus" >"$d/cpuset.cpus"
      cat "${h}cpuset.mems" >"$d/cpuset.mems"
    fi
  done
}

node_pids() { # the node's processes: every one names the node's folder on its command line
  pgrep -f -- "$NODE_ROOT/" || true
}

cgroup_pids() {
  local d
  while read -r d; do
    find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
  done < <(cgroup_dirs)
  return 0
}

kill_all() {
  local round pids
  for round in $(seq 1 50); do
    pids="$( (node_pids; cgroup_pids) | sort -u | grep -vx "$$" || true)"
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.1
  done
  die "processes survive SIGKILL: $pids"
}

node_mounts() { # deepest first
  findmnt -rn -o TARGET | awk -v root="$NODE_ROOT/" 'index($0, root) == 1' | sort -r
}

iptables_kube_chains() { # "family table chain" of every KUBE-* chain the kubelet or kube-proxy made
  nft list chains 2>/dev/null | awk '
    $1 == "table" { fam = $2; tbl = $3 }
    $1 == "chain" && $2 ~ /^KUBE-/ { print fam, tbl, $2 }'
}

jumps_to_kube_chains() { # "family table chain handle" of every rule that jumps to a KUBE-* chain
  nft -a list ruleset 2>/dev/null | awk '
    $1 == "table" { fam = $2; tbl = $3 }
    $1 == "chain" { chain = $2 }
    / (jump|goto) KUBE-/ { print fam, tbl, chain, $NF }'
}

# Tables the node's iptables users (kubelet, kube-proxy) created: not there before net-up, no rule left.
empty_new_tables() {
  local fam tbl
  nft list tables 2>/dev/null | while read -r _ fam tbl; do
    grep -qx "$fam $tbl" "$NODE_ROOT.nft-before" 2>/dev/null && continue
    nft list table "$fam" "$tbl" 2>/dev/null | grep -qE '^\s+(counter|jump|goto|accept|drop|ip |ip6 |meta |ct |tcp |udp )' && continue
    echo "$fam $tbl"
  done
}

cmd_clean() {
  [ "$(id -u)" = 0 ] || die "needs root"
  kill_all
  local m d t
  while read -r m; do
    [ -n "$m" ] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(node_mounts)
  [ -z "$(node_mounts)" ] || die "mounts survive umount: $(node_mounts | tr '\n' ' ')"
  while read -r d; do
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ ! -d "$d" ] || die "cgroup $d cannot be removed"
  done < <(cgroup_dirs)
  for t in "${KUBE_PROXY_TABLES[@]}" "inet $GUARD_TABLE"; do
    nft delete table $t 2>/dev/null || true
  done
  local fam tbl chain handle
  # The rules that jump to them first, then the chains, then the tables they leave empty.
  while read -r fam tbl chain handle; do
    nft delete rule "$fam" "$tbl" "$chain" handle "$handle" 2>/dev/null || true
  done < <(jumps_to_kube_chains)
  while read -r fam tbl chain; do
    nft flush chain "$fam" "$tbl" "$chain" 2>/dev/null || true
    nft delete chain "$fam" "$tbl" "$chain" 2>/dev/null || true
  done < <(iptables_kube_chains)
  if [ -f "$NODE_ROOT.nft-before" ]; then
    while read -r fam tbl; do nft delete table "$fam" "$tbl" 2>/dev/null || true; done < <(empty_new_tables)
    rm -f "$NODE_ROOT.nft-before"
  fi
  ip link del "$BRIDGE" 2>/dev/null || true
  ip route del "$SERVICE_CIDR" 2>/dev/null || true
  rm -rf "$CNI_CACHE/networks/$CNI_NETWORK"
  find "$CNI_CACHE/results" -maxdepth 1 -name "$CNI_NETWORK-*" -delete 2>/dev/null || true
  find "$CONTAINER_LOG_LINKS" -maxdepth 1 -type l -lname "$NODE_ROOT/*" -delete 2>/dev/null || true
  if [ -f "$NODE_ROOT.sysctl" ]; then
    sysctl -qw "net.ipv4.ip_forward=$(cat "$NODE_ROOT.sysctl")"
    rm -f "$NODE_ROOT.sysctl"
  fi
  rm -rf "$NODE_ROOT"
}

cmd_check_clean() {
  local left=()
  [ -z "$(node_pids)" ] || left+=("processes: $(node_pids | tr '\n' ' ')")
  [ -z "$(cgroup_dirs)" ] || left+=("cgroups: $(cgroup_dirs | tr '\n' ' ')")
  [ -z "$(node_mounts)" ] || left+=("mounts: $(node_mounts | tr '\n' ' ')")
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || left+=("bridge $BRIDGE")
  [ -z "$(ip route show "$SERVICE_CIDR" 2>/dev/null)" ] || left+=("route $SERVICE_CIDR")
  local t
  for t in "${KUBE_PROXY_TABLES[@]}" "inet $GUARD_TABLE"; do
    # shellcheck disable=SC2086
    ! nft list table $t >/dev/null 2>&1 || left+=("nft table $t")
  done
  [ -z "$(iptables_kube_chains)" ] || left+=("KUBE-* chains: $(iptables_kube_chains | tr '\n' ';')")
  [ ! -e "$NODE_ROOT" ] || left+=("folder $NODE_ROOT")
  [ ! -e "$NODE_ROOT.sysctl" ] || left+=("$NODE_ROOT.sysctl (forwarding not restored)")
  [ ! -e "$CNI_CACHE/networks/$CNI_NETWORK" ] || left+=("$CNI_CACHE/networks/$CNI_NETWORK")
  if find "$CNI_CACHE/results" -maxdepth 1 -name "$CNI_NETWORK-*" 2>/dev/null | grep -q .; then
    left+=("$CNI_CACHE/results/$CNI_NETWORK-*")
  fi
  if [ "${#left[@]}" -gt 0 ]; then
    printf 'node: left behind: %s\n' "${left[@]}" >&2
    exit 1
  fi
  echo "node: nothing left behind"
}

case "${1:-}" in
  settings) cmd_settings ;;
  net-up) cmd_net_up ;;
  cgroup-root) cmd_cgroup_root ;;
  clean) cmd_clean ;;
  check-clean) cmd_check_clean ;;
  *)
    echo "usage: $0 settings|net-up|cgroup-root|clean|check-clean" >&2
    exit 2
    ;;
esac
