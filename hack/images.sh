#!/usr/bin/env bash
# Container images for the real node, built without a registry or a daemon: Debian roots
# made by mmdebstrap from the machine's own apt mirror, Dockerfiles built by buildah (from
# apt) with the node's runc, and each image saved as an OCI archive that
# `ctr images import` loads into the node's containerd.
#
#   bash hack/images.sh install    # the pause, HAProxy 2.6 (bookworm) and 3.0 (trixie) images; cached
#   bash hack/images.sh operator   # Dockerfile.jvm over target/quarkus-app; prints the archive's path
#
# Cache: $HCO_TESTENV_CACHE/images/ (archives, Debian roots, buildah's storage). An archive's
# name carries a hash of what it is built from, so editing a Dockerfile builds it anew.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/versions.env
. "$ROOT/hack/versions.env"
CACHE="${HCO_TESTENV_CACHE:-${HOME:?HOME is not set}/.cache/haproxy-consul-operator/testenv}"
IMAGES="$CACHE/images"
BUILDAH_DIR="$IMAGES/buildah"
RUNC="$CACHE/runc-$RUNC_VERSION/bin/runc"
PAUSE_BIN="$CACHE/kubernetes-$KUBERNETES_VERSION/bin/pause"

die() {
  printf 'images: %s\n' "$*" >&2
  exit 1
}

log() { printf '==> %s\n' "$*" >&2; }

# buildah with every file it keeps under the cache; the host's own container storage is left alone.
bah() {
  mkdir -p "$BUILDAH_DIR/root" "$BUILDAH_DIR/runroot" "$BUILDAH_DIR/tmp"
  TMPDIR="$BUILDAH_DIR/tmp" CONTAINERS_CONF="$BUILDAH_DIR/containers.conf" \
    buildah --root "$BUILDAH_DIR/root" --runroot "$BUILDAH_DIR/runroot" --storage-driver overlay "$@"
}

setup_buildah() {
  [ -x "$RUNC" ] || die "runc is missing ($RUNC): run \`bash hack/testenv.sh install\` first"
  command -v buildah >/dev/null 2>&1 || die "buildah is missing: run \`bash hack/testenv.sh install\` first"
  command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is missing: run \`bash hack/testenv.sh install\` first"
  mkdir -p "$BUILDAH_DIR"
  # buildah's default runtime (crun 1.8) refuses this VM's hybrid cgroups; the node's runc does not.
  cat >"$BUILDAH_DIR/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
runtime = "runc"
[engine.runtimes]
runc = ["$RUNC"]
EOF
}

# buildah writes these whatever its roots; nothing of an image build stays outside the cache.
cleanup_buildah_leftovers() {
  rm -rf /var/lib/containers/cache /run/containers/storage 2>/dev/null || true
  rmdir /var/lib/containers /run/containers 2>/dev/null || true
}

content_key() { # FILES... -> first 12 hex digits of their combined sha256
  cat "$@" | sha256sum | cut -c1-12
}

# The apt sources of a Debian suite on the machine's own mirror (the host's deb822 file names it).
sources_for() { # SUITE
  local host=/etc/apt/sources.list.d/debian.sources main security
  [ -f "$host" ] || die "no $host: the Debian roots need the machine's deb822 apt sources"
  main="$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$host")"
  security="$(awk '/^URIs:/ && $2 ~ /security/ { print $2; exit }' "$host")"
  [ -n "$main" ] || die "no Debian mirror in $host"
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$main" "$1" "$1"
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$security" "$1"
  fi
}

# docker.io/library/debian:SUITE-slim in buildah's storage: a minbase root (what Debian's slim
# images are) from the mirror, without the build host's resolv.conf and hostname.
base_image() { # SUITE
  local suite="$1" name="docker.io/library/debian:$1-slim" rootfs="$IMAGES/debian-$1-minbase.tar" sources t0
  bah inspect --type image "$name" >/dev/null 2>&1 && return 0
  if [ ! -f "$rootfs" ]; then
    log "mmdebstrap $suite (minbase) ..."
    t0=$SECONDS
    sources="$(mktemp)"
    sources_for "$suite" >"$sources"
    mmdebstrap --quiet --variant=minbase --format=tar \
      --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
      --customize-hook='rm -rf "$1/var/lib/apt/lists"/* "$1/var/cache/apt"/*.bin' \
      "$suite" "$rootfs.tmp" "$sources"
    rm -f "$sources"
    mv -f "$rootfs.tmp" "$rootfs"
    log "debian $suite root in $((SECONDS - t0))s"
  fi
  local c
  c="$(bah from scratch)"
  bah add "$c" "$rootfs" / >/dev/null
  bah config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  bah commit --quiet "$c" "$name" >/dev/null
  bah rm "$c" >/dev/null
}

# build_image NAME ARCHIVE DOCKERFILE CONTEXT [BUD ARGS...]: builds unless the archive exists.
build_image() {
  local name="$1" archive="$2" dockerfile="$3" context="$4" t0
  shift 4
  [ -f "$archive" ] && return 0
  t0=$SECONDS
  log "building $name ..."
  bah bud --quiet --layers --pull-never --network host --isolation oci -f "$dockerfile" -t "$name" "$@" "$context" >&2
  push "$name" "$archive"
  log "built $name in $((SECONDS - t0))s ($archive)"
}

push() { # NAME ARCHIVE
  rm -f "$2.tmp"
  bah push --quiet "$1" "oci-archive:$2.tmp:$1" >&2
  mv -f "$2.tmp" "$2"
}

pause_tag() { cat "$(dirname "$PAUSE_BIN")/pause.tag"; }
pause_archive() { printf '%s/pause-%s-%s.oci.tar\n' "$IMAGES" "$(pause_tag)" "$(content_key "$PAUSE_BIN")"; }

# The sandbox image the node's containerd pins (registry.k8s.io/pause:TAG), from the static pause binary.
pause_image() {
  local archive c
  archive="$(pause_archive)"
  if [ ! -f "$archive" ]; then
    c="$(bah from scratch)"
    bah copy "$c" "$PAUSE_BIN" /pause >/dev/null
    bah config --entrypoint '["/pause"]' --user 65535:65535 "$c"
    bah commit --quiet "$c" "registry.k8s.io/pause:$(pause_tag)" >/dev/null
    bah rm "$c" >/dev/null
    push "registry.k8s.io/pause:$(pause_tag)" "$archive"
  fi
}

haproxy_archive() { # VERSION SUITE
  printf '%s/haproxy-%s-%s-%s.oci.tar\n' "$IMAGES" "$1" "$2" \
    "$(echo "$2" | cat "$ROOT/hack/images/haproxy.Dockerfile" - | sha256sum | cut -c1-12)"
}

haproxy_image() { # VERSION SUITE
  local archive
  archive="$(haproxy_archive "$1" "$2")"
  if [ ! -f "$archive" ]; then
    base_image "$2"
    build_image "$HAPROXY_IMAGE_REPOSITORY:$1" "$archive" "$ROOT/hack/images/haproxy.Dockerfile" "$ROOT/hack/images" \
      --build-arg "DEBIAN_SUITE=$2"
    find "$IMAGES" -maxdepth 1 -name "haproxy-$1-$2-*.oci.tar" ! -name "${archive##*/}" -delete
  fi
}

cmd_install() {
  local t0=$SECONDS
  setup_buildah
  mkdir -p "$IMAGES"
  pause_image
  haproxy_image 2.6 bookworm
  haproxy_image 3.0 trixie
  cleanup_buildah_leftovers
  log "images ready in $((SECONDS - t0))s ($IMAGES)"
}

# The operator's own image, from Dockerfile.jvm exactly as a user builds it, over the packaged app.
cmd_operator() {
  local app="$ROOT/target/quarkus-app" archive key
  [ -f "$app/quarkus-run.jar" ] || die "no $app/quarkus-run.jar: run \`./mvnw package -DskipTests\` first"
  setup_buildah
  key="$(cd "$ROOT" && find target/quarkus-app -type f -print0 | sort -z | xargs -0 sha256sum | cat Dockerfile.jvm - | sha256sum | cut -c1-12)"
  archive="$IMAGES/operator-$key.oci.tar"
  if [ ! -f "$archive" ]; then
    base_image bookworm
    # Only what Dockerfile.jvm copies goes into the build context.
    local context
    context="$(mktemp -d "$BUILDAH_DIR/tmp/context-XXXXXX")"
    mkdir -p "$context/target"
    cp -R "$app" "$context/target/"
    build_image "$OPERATOR_IMAGE" "$archive" "$ROOT/Dockerfile.jvm" "$context"
    rm -rf "$context"
    # Older builds of the operator are of no further use.
    find "$IMAGES" -maxdepth 1 -name 'operator-*.oci.tar' ! -name "operator-$key.oci.tar" -delete
  fi
  cleanup_buildah_leftovers
  printf '%s\n' "$archive"
}

# The archives `install` builds, NAME=path lines (for hack/testenv.sh env); exits 1 if one is missing.
cmd_paths() {
  local line missing=0
  for line in "HCO_IMAGE_PAUSE=$(pause_archive)" "HCO_IMAGE_HAPROXY_2_6=$(haproxy_archive 2.6 bookworm)" \
    "HCO_IMAGE_HAPROXY_3_0=$(haproxy_archive 3.0 trixie)"; do
    [ -f "${line#*=}" ] || { printf 'images: missing %s\n' "${line#*=}" >&2; missing=1; }
    printf '%s\n' "$line"
  done
  return "$missing"
}

case "${1:-}" in
  install) cmd_install ;;
  operator) cmd_operator ;;
  paths) cmd_paths ;;
  *)
    echo "usage: $0 install|operator|paths" >&2
    exit 2
    ;;
esac
