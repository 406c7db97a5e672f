#!/usr/bin/env bash
# Real parts for the tests: builds etcd, kube-apiserver, kube-controller-manager,
# consul, helm, consul-template and a node's parts (kubelet, kube-proxy, kube-scheduler,
# containerd, runc, CNI plugins, pause) from the Go module proxy at the versions pinned in
# hack/versions.env, into a cache outside the repo; installs haproxy (plus curl, openssl and
# the node's Debian packages) when missing; builds the node's images (hack/images.sh).
# kubectl is expected at /usr/bin/kubectl.
#
#   bash hack/testenv.sh install   # idempotent; a warm run takes seconds
#   eval "$(bash hack/testenv.sh env)"   # exports KUBE_APISERVER, ETCD, ... (absolute paths)
#
# Cache: ${HCO_TESTENV_CACHE:-$HOME/.cache/haproxy-consul-operator/testenv}/<part>-<version>/bin/<binary>
# Each binary is built in a throw-away Go module (deleted afterwards); the Go module and
# build caches stay in their default places. Build logs: <cache>/<part>-<version>/build.log
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/versions.env
. "$ROOT/hack/versions.env"
CACHE="${HCO_TESTENV_CACHE:-${HOME:?HOME is not set}/.cache/haproxy-consul-operator/testenv}"

die() {
  printf 'testenv: %s\n' "$*" >&2
  exit 1
}

bin_of() { # PART VERSION BINARY
  printf '%s/%s-%s/bin/%s' "$CACHE" "$1" "$2" "$3"
}

find_haproxy() {
  command -v haproxy 2>/dev/null && return 0
  [ -x /usr/sbin/haproxy ] && { echo /usr/sbin/haproxy; return 0; }
  return 1
}

find_kubectl() {
  command -v kubectl 2>/dev/null && return 0
  [ -x /usr/bin/kubectl ] && { echo /usr/bin/kubectl; return 0; }
  return 1
}

# ---------------------------------------------------------------------------
# env
# ---------------------------------------------------------------------------
cmd_env() {
  local lines=() missing=() name path
  local entries=(
    "ETCD=$(bin_of etcd "$ETCD_VERSION" etcd)"
    "KUBE_APISERVER=$(bin_of kubernetes "$KUBERNETES_VERSION" kube-apiserver)"
    "KUBE_CONTROLLER_MANAGER=$(bin_of kubernetes "$KUBERNETES_VERSION" kube-controller-manager)"
    "CONSUL=$(bin_of consul "$CONSUL_VERSION" consul)"
    "HELM=$(bin_of helm "$HELM_VERSION" helm)"
    "CONSUL_TEMPLATE=$(bin_of consul-template "$CONSUL_TEMPLATE_VERSION" consul-template)"
    "HAPROXY=$(find_haproxy || echo haproxy)"
    "KUBECTL=$(find_kubectl || echo /usr/bin/kubectl)"
    "KUBELET=$(bin_of kubernetes "$KUBERNETES_VERSION" kubelet)"
    "KUBE_PROXY=$(bin_of kubernetes "$KUBERNETES_VERSION" kube-proxy)"
    "KUBE_SCHEDULER=$(bin_of kubernetes "$KUBERNETES_VERSION" kube-scheduler)"
    "CONTAINERD=$(bin_of containerd "$CONTAINERD_VERSION" containerd)"
    "CONTAINERD_SHIM=$(bin_of containerd "$CONTAINERD_VERSION" containerd-shim-runc-v2)"
    "CTR=$(bin_of containerd "$CONTAINERD_VERSION" ctr)"
    "RUNC=$(bin_of runc "$RUNC_VERSION" runc)"
    "CNI_BRIDGE=$(bin_of cni-plugins "$CNI_PLUGINS_VERSION" bridge)"
    "CNI_HOST_LOCAL=$(bin_of cni-plugins "$CNI_PLUGINS_VERSION" host-local)"
    "CNI_LOOPBACK=$(bin_of cni-plugins "$CNI_PLUGINS_VERSION" loopback)"
  )
  for entry in "${entries[@]}"; do
    name="${entry%%=*}"
    path="${entry#*=}"
    if [ -x "$path" ] && [ "${path#/}" != "$path" ]; then
      lines+=("export $name=$(printf '%q' "$path")")
    else
      missing+=("$name ($path)")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'testenv: missing: %s\n' "${missing[@]}" >&2
    printf 'testenv: run `bash hack/testenv.sh install` first\n' >&2
    exit 1
  fi
  # The node's images (OCI archives; the operator's own image is built from the packaged app by tests).
  local images
  if ! images="$(bash "$ROOT/hack/images.sh" paths)"; then
    printf 'testenv: run `bash hack/testenv.sh install` first\n' >&2
    exit 1
  fi
  while IFS= read -r entry; do
    lines+=("export ${entry%%=*}=$(printf '%q' "${entry#*=}")")
  done <<<"$images"
  printf 'export HCO_TESTENV_CACHE=%q\n' "$CACHE"
  printf '%s\n' "${lines[@]}"
}

# ---------------------------------------------------------------------------
# install helpers
# ---------------------------------------------------------------------------
WORKDIRS=()
cleanup() {
  local d
  for d in ${WORKDIRS[@]+"${WORKDIRS[@]}"}; do rm -rf "$d"; done
  if [ -n "${POLICY_RC_CREATED:-}" ]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

setup_go() {
  command -v go >/dev/null 2>&1 || die "go is not on PATH (need Go >= $GO_MIN_VERSION)"
  local have
  have="$(go env GOVERSION)"
  have="${have#go}"
  if [ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$have" | sort -V | sed -n 1p)" != "$GO_MIN_VERSION" ]; then
    die "Go $have is older than the $GO_MIN_VERSION needed by the pinned parts"
  fi
  # The machine's own Go, static binaries, module mode that may add go.sum entries.
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
}

json_field() { # FIELD < go-json
  sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" | sed -n 1p
}

# mod_fetch MODULE VERSION: downloads it; sets MOD_GOMOD (its go.mod), MOD_DIR, MOD_TIME
# (the version's commit time, used as the build date) and MOD_COMMIT (may be empty).
mod_fetch() {
  local json
  if ! json="$(cd "$CACHE" && go mod download -json "$1@$2" 2>&1)" \
    || printf '%s\n' "$json" | grep -q '"Error"'; then
    printf '%s\n' "$json" >&2
    die "cannot download $1@$2 from the Go module proxy"
  fi
  MOD_GOMOD="$(json_field GoMod <<<"$json")"
  MOD_DIR="$(json_field Dir <<<"$json")"
  local info
  info="$(json_field Info <<<"$json")"
  MOD_TIME="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")"
  MOD_COMMIT="$(sed -n 's/.*"Hash":"\([0-9a-f]*\)".*/\1/p' "$info")"
  [ -f "$MOD_GOMOD" ] && [ -d "$MOD_DIR" ] || die "unexpected 'go mod download' answer for $1@$2"
}

# One directive a line: "require PATH VERSION ...", "replace OLD [V] => NEW [V]", "go 1.x", ...
gomod_lines() { # GOMOD
  go mod edit -print "$1" | awk '
    /^[a-z]+ \($/ { blk = $1; next }
    /^\)$/        { blk = ""; next }
    blk != ""     { sub(/^[ \t]+/, ""); print blk " " $0; next }
    /^[a-z]+ /    { print }'
}

required_version() { # GOMOD MODULE
  # (no early `exit` in awk: with pipefail, the writer's SIGPIPE would fail the pipeline)
  gomod_lines "$1" | awk -v m="$2" '$1 == "require" && $2 == m && !found { print $3; found = 1 }'
}

# Directives a dependent module must repeat, because replace/exclude only apply in the main
# module: replacements by another module are copied; replacements by a local folder of the
# same repository (./api, ../client/v3) are pinned to the version the go.mod requires
# (paths it does not require, such as etcd's FORBIDDEN_DEPENDENCY guards, are dropped).
dependent_directives() { # GOMOD
  gomod_lines "$1" | awk '
    $1 == "require" { req[$2] = $3; next }
    $1 == "exclude" { print "exclude " $2 " " $3; next }
    $1 == "godebug" { $1 = ""; sub(/^ /, ""); print "godebug " $0; next }
    $1 == "replace" {
      arrow = ($3 == "=>") ? 3 : 4
      old = $2; new = $(arrow + 1); newv = $(arrow + 2)
      if (new ~ /^\.\.?\//) local[old] = 1
      else print "replace " old " => " new " " newv
    }
    END {
      # (replace may come before require in the file, hence the END block)
      # v0.0.0 means "only exists in this repository" (kubernetes staging): handled apart.
      for (m in local) if ((m in req) && req[m] != "v0.0.0") print "replace " m " => " m " " req[m]
    }' | sort
}

# check_mpl NAME DIR: the module's LICENSE must be MPL-2.0 (HashiCorp moved to BUSL-1.1 in 2023).
check_mpl() {
  local lic="$2/LICENSE"
  [ -f "$lic" ] || lic="$2/LICENSE.md"
  if [ ! -f "$lic" ] || ! grep -q 'Mozilla Public License' "$lic" || grep -q 'Business Source License' "$lic"; then
    die "$1: $lic is not the Mozilla Public License 2.0; refusing to build a non open-source version"
  fi
}

# new_module PART VERSION MODULE GOLINE: throw-away main module requiring MODULE@VERSION and
# repeating its replace/exclude/godebug directives; sets WORK.
new_module() {
  WORK="$(mktemp -d "$CACHE/.work-$1-XXXXXX")"
  WORKDIRS+=("$WORK")
  {
    printf 'module testenv.invalid/%s\n\ngo %s\n\n' "$1" "$4"
    printf 'require %s %s\n\n' "$3" "$2"
    dependent_directives "$MOD_GOMOD"
  } >"$WORK/go.mod"
}

# build_bin PART VERSION BINARY PACKAGE PREPARE_FN LDFLAGS: builds one binary unless present.
# PREPARE_FN creates the throw-away module (once per part) and may add to LDFLAGS via LDX.
build_bin() {
  local part="$1" version="$2" binary="$3" pkg="$4" prepare="$5"
  local out dir log tmp t0
  out="$(bin_of "$part" "$version" "$binary")"
  if [ -x "$out" ]; then
    echo "==> $binary $version: cached ($out)"
    return 0
  fi
  dir="$(dirname "$out")"
  log="$(dirname "$dir")/build.log"
  mkdir -p "$dir"
  echo "==> building $binary $version ..."
  t0=$SECONDS
  if [ -z "${WORK:-}" ] || [ "${WORK_PART:-}" != "$part-$version" ]; then
    LDX="" CGO=0 GOBUILD_EXTRA=()
    # Not in an `||` list, so that set -e stays in force inside it; errors go to stderr.
    "$prepare" >>"$log"
    WORK_PART="$part-$version"
  fi
  tmp="$dir/.$binary.tmp.$$"
  if ! (cd "$WORK" && CGO_ENABLED="${CGO:-0}" go build -trimpath ${GOBUILD_EXTRA[@]+"${GOBUILD_EXTRA[@]}"} \
    -ldflags="-s -w $LDX" -o "$tmp" "$pkg") >>"$log" 2>&1; then
    rm -f "$tmp"
    tail -n 40 "$log" >&2
    die "building $binary $version failed; full log: $log"
  fi
  mv -f "$tmp" "$out"
  echo "==> built $binary $version in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------
# parts
# ---------------------------------------------------------------------------
prepare_etcd() {
  mod_fetch "$ETCD_MODULE" "$ETCD_VERSION"
  new_module etcd "$ETCD_VERSION" "$ETCD_MODULE" "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  cat "$WORK/go.mod"
}

prepare_kubernetes() {
  local staging="v0.${KUBERNETES_VERSION#v1.}" minor
  minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  mod_fetch k8s.io/kubernetes "$KUBERNETES_VERSION"
  new_module kubernetes "$KUBERNETES_VERSION" k8s.io/kubernetes "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  # Staging modules (k8s.io/api, k8s.io/apiserver, ...) are required as v0.0.0 and replaced
  # by ./staging/src/... in the kubernetes repo; pin each to its published v0.<minor>.<patch>.
  gomod_lines "$MOD_GOMOD" | awk -v v="$staging" '$1 == "require" && $3 == "v0.0.0" { print "replace " $2 " => " $2 " " v }' >>"$WORK/go.mod"
  grep -q "=> k8s.io/api $staging\$" "$WORK/go.mod" || die "no staging replace lines generated for $KUBERNETES_VERSION"
  # What kubernetes' hack/lib/version.sh stamps into a release build.
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LDX+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    LDX+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$MOD_TIME"
  done
  cat "$WORK/go.mod"
}

prepare_consul() {
  mod_fetch github.com/hashicorp/consul "$CONSUL_VERSION"
  check_mpl "github.com/hashicorp/consul@$CONSUL_VERSION" "$MOD_DIR"
  local gomod="$MOD_GOMOD" time="$MOD_TIME" commit="$MOD_COMMIT" src="$MOD_DIR"
  new_module consul "$CONSUL_VERSION" github.com/hashicorp/consul "$(gomod_lines "$gomod" | awk '$1 == "go" { print $2 }')"
  # Nested modules (api, sdk, proto-public, envoyextensions, troubleshoot): pin each to the
  # version consul's go.mod requires (dependent_directives did so for those it replaces
  # with ./folders; release branches such as 1.15.x require the tags without replacing),
  # so that no other dependency can raise them; check their licences too.
  local m v
  while read -r m v; do
    grep -q "^replace $m " "$WORK/go.mod" || echo "replace $m => $m $v" >>"$WORK/go.mod"
  done < <(gomod_lines "$gomod" | awk '$1 == "require" && $2 ~ /^github\.com\/hashicorp\/consul\// { print $2, $3 }')
  while read -r m v; do
    mod_fetch "$m" "$v"
    check_mpl "$m@$v" "$MOD_DIR"
  done < <(awk '$1 == "replace" && $2 ~ /^github\.com\/hashicorp\/consul\// { print $4, $5 }' "$WORK/go.mod")
  # The hcp-sdk-go version consul requires is not served; pin the one in versions.env.
  mod_fetch github.com/hashicorp/hcp-sdk-go "$CONSUL_HCP_SDK_GO_VERSION"
  check_mpl "github.com/hashicorp/hcp-sdk-go@$CONSUL_HCP_SDK_GO_VERSION" "$MOD_DIR"
  echo "replace github.com/hashicorp/hcp-sdk-go => github.com/hashicorp/hcp-sdk-go $CONSUL_HCP_SDK_GO_VERSION" >>"$WORK/go.mod"
  # Build from a copy of consul's module source (the module cache is read-only, and go
  # build -overlay refuses files under it), adding the one method that newer hcp-sdk-go's
  # config.HCPConfig interface has and consul's (HCP-only, unused here) mock lacks.
  cp -R "$src" "$WORK/consul-src"
  chmod -R u+w "$WORK/consul-src"
  local hcpclient="$WORK/consul-src/agent/hcp/client"
  if grep -qs 'type mockHCPCfg' "$hcpclient"/*.go && ! grep -qs 'mockHCPCfg) Logout' "$hcpclient"/*.go \
    && grep -qs 'Logout() error' "$(go mod download -json "github.com/hashicorp/hcp-sdk-go@$CONSUL_HCP_SDK_GO_VERSION" | json_field Dir)/config/hcp.go"; then
    printf '%s\n' 'package client' '' \
      '// Added by hack/testenv.sh: newer hcp-sdk-go added Logout to config.HCPConfig.' \
      'func (m *mockHCPCfg) Logout() error { return nil }' >"$hcpclient/zz_testenv_hcp_compat.go"
  fi
  echo 'replace github.com/hashicorp/consul => ./consul-src' >>"$WORK/go.mod"
  LDX="-X github.com/hashicorp/consul/version.BuildDate=$time"
  [ -z "$commit" ] || LDX+=" -X github.com/hashicorp/consul/version.GitCommit=${commit:0:12}"
  cat "$WORK/go.mod"
}

prepare_helm() {
  mod_fetch helm.sh/helm/v3 "$HELM_VERSION"
  new_module helm "$HELM_VERSION" helm.sh/helm/v3 "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  # As helm's Makefile: its version, and the Kubernetes version of the client-go it uses
  # (default .Capabilities.KubeVersion for `helm template` and `helm lint`).
  local cg minor
  cg="$(required_version "$MOD_GOMOD" k8s.io/client-go)"
  minor="${cg#v0.}"
  minor="${minor%%.*}"
  LDX="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  LDX+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
  LDX+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
  cat "$WORK/go.mod"
}

prepare_consul_template() {
  mod_fetch github.com/hashicorp/consul-template "$CONSUL_TEMPLATE_VERSION"
  check_mpl "github.com/hashicorp/consul-template@$CONSUL_TEMPLATE_VERSION" "$MOD_DIR"
  local gomod="$MOD_GOMOD" m v
  new_module consul-template "$CONSUL_TEMPLATE_VERSION" github.com/hashicorp/consul-template "$(gomod_lines "$gomod" | awk '$1 == "go" { print $2 }')"
  while read -r m v; do
    mod_fetch "$m" "$v"
    check_mpl "$m@$v" "$MOD_DIR"
  done < <(gomod_lines "$gomod" | awk '$1 == "require" && $2 ~ /^github\.com\/hashicorp\/consul\// { print $2, $3 }')
  cat "$WORK/go.mod"
}

# Node parts: a real kubelet with containerd, runc and CNI, so that tests run real pods.
prepare_containerd() {
  mod_fetch github.com/containerd/containerd/v2 "$CONTAINERD_VERSION"
  new_module containerd "$CONTAINERD_VERSION" github.com/containerd/containerd/v2 "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  # As containerd's Makefile, without the storage drivers this node does not use.
  GOBUILD_EXTRA=(-tags "no_btrfs no_devmapper no_zfs")
  LDX="-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION"
  LDX+=" -X github.com/containerd/containerd/v2/version.Package=github.com/containerd/containerd/v2"
  [ -z "$MOD_COMMIT" ] || LDX+=" -X github.com/containerd/containerd/v2/version.Revision=$MOD_COMMIT"
  cat "$WORK/go.mod"
}

prepare_runc() {
  mod_fetch github.com/opencontainers/runc "$RUNC_VERSION"
  new_module runc "$RUNC_VERSION" github.com/opencontainers/runc "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  # runc's `make static`: cgo for libseccomp, a static PIE.
  CGO=1
  GOBUILD_EXTRA=(-buildmode=pie -tags "seccomp netgo osusergo")
  LDX="-linkmode external -extldflags -static-pie"
  [ -z "$MOD_COMMIT" ] || LDX+=" -X main.gitCommit=$MOD_COMMIT"
  cat "$WORK/go.mod"
}

prepare_cni_plugins() {
  mod_fetch github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION"
  new_module cni-plugins "$CNI_PLUGINS_VERSION" github.com/containernetworking/plugins "$(gomod_lines "$MOD_GOMOD" | awk '$1 == "go" { print $2 }')"
  LDX="-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
  cat "$WORK/go.mod"
}

# The sandbox ("pause") binary from the kubernetes module, built as its build/pause Makefile does.
build_pause() {
  local out
  out="$(bin_of kubernetes "$KUBERNETES_VERSION" pause)"
  if [ -x "$out" ]; then
    echo "==> pause: cached ($out)"
    return 0
  fi
  mod_fetch k8s.io/kubernetes "$KUBERNETES_VERSION"
  local tag
  tag="$(sed -n 's/^TAG ?= *//p' "$MOD_DIR/build/pause/Makefile")"
  [ -n "$tag" ] || die "no TAG in $MOD_DIR/build/pause/Makefile"
  mkdir -p "$(dirname "$out")"
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-$KUBERNETES_VERSION" -o "$out.tmp" "$MOD_DIR/build/pause/linux/pause.c"
  mv -f "$out.tmp" "$out"
  echo "$tag" >"$(dirname "$out")/pause.tag"
  echo "==> built pause $tag"
}

install_apt_tools() {
  local need=() sudo=() t0
  find_haproxy >/dev/null || need+=("$HAPROXY_APT_PACKAGE")
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  # The node: runc's seccomp (static), nftables for kube-proxy, the image builders.
  local pkg
  for pkg in $NODE_APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${need[*]}"
      sudo=(sudo)
    fi
    echo "==> installing ${need[*]} (apt) ..."
    t0=$SECONDS
    # Install only: do not let the package start a haproxy service.
    if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      POLICY_RC_CREATED=1
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    echo "==> installed ${need[*]} in $((SECONDS - t0))s"
  fi
  local hap
  hap="$(find_haproxy)" || die "haproxy still not found after apt-get install $HAPROXY_APT_PACKAGE"
  echo "==> haproxy: $hap ($("$hap" -v 2>&1 | sed -n 1p))"
  local kc
  kc="$(find_kubectl)" || die "kubectl not found (expected /usr/bin/kubectl); install kubectl first"
  echo "==> kubectl: $kc"
}

install_node() {
  local k8s=k8s.io/kubernetes/cmd cni=github.com/containernetworking/plugins/plugins
  WORK=""
  build_bin kubernetes "$KUBERNETES_VERSION" kubelet $k8s/kubelet prepare_kubernetes
  build_bin kubernetes "$KUBERNETES_VERSION" kube-proxy $k8s/kube-proxy prepare_kubernetes
  build_bin kubernetes "$KUBERNETES_VERSION" kube-scheduler $k8s/kube-scheduler prepare_kubernetes
  build_pause
  WORK=""
  build_bin containerd "$CONTAINERD_VERSION" containerd github.com/containerd/containerd/v2/cmd/containerd prepare_containerd
  build_bin containerd "$CONTAINERD_VERSION" containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 prepare_containerd
  build_bin containerd "$CONTAINERD_VERSION" ctr github.com/containerd/containerd/v2/cmd/ctr prepare_containerd
  WORK=""
  build_bin runc "$RUNC_VERSION" runc github.com/opencontainers/runc prepare_runc
  WORK=""
  build_bin cni-plugins "$CNI_PLUGINS_VERSION" bridge $cni/main/bridge prepare_cni_plugins
  build_bin cni-plugins "$CNI_PLUGINS_VERSION" host-local $cni/ipam/host-local prepare_cni_plugins
  build_bin cni-plugins "$CNI_PLUGINS_VERSION" loopback $cni/main/loopback prepare_cni_plugins
}

cmd_install() {
  local t_all=$SECONDS
  mkdir -p "$CACHE"
  install_apt_tools
  setup_go
  WORK=""
  build_bin etcd "$ETCD_VERSION" etcd "$ETCD_MODULE" prepare_etcd
  WORK=""
  build_bin kubernetes "$KUBERNETES_VERSION" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver prepare_kubernetes
  build_bin kubernetes "$KUBERNETES_VERSION" kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager prepare_kubernetes
  WORK=""
  build_bin consul "$CONSUL_VERSION" consul github.com/hashicorp/consul prepare_consul
  WORK=""
  build_bin helm "$HELM_VERSION" helm helm.sh/helm/v3/cmd/helm prepare_helm
  WORK=""
  build_bin consul-template "$CONSUL_TEMPLATE_VERSION" consul-template github.com/hashicorp/consul-template prepare_consul_template
  install_node
  bash "$ROOT/hack/images.sh" install
  cmd_env >/dev/null
  echo "==> testenv ready in $((SECONDS - t_all))s (cache: $CACHE)"
}

case "${1:-}" in
  install) cmd_install ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 install|env" >&2
    exit 2
    ;;
esac
