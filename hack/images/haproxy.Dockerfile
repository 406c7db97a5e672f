# HAProxy from Debian, with the contract of the official `haproxy` image that a binding's
# spec.fleet.image defaults to: haproxy on PATH, its configuration at
# /usr/local/etc/haproxy/haproxy.cfg, the user haproxy (uid and gid 99), sh, gunzip and
# sleep, SIGUSR1 as the stop signal (HAProxy's soft stop). DEBIAN_SUITE chooses the
# HAProxy: bookworm has 2.6 LTS, trixie 3.0 LTS. Built by hack/images.sh.
ARG DEBIAN_SUITE=bookworm
FROM docker.io/library/debian:${DEBIAN_SUITE}-slim
# Debian's package makes its haproxy user in the system range (100-999) and refuses an existing
# uid 99, so the user gets the official image's ids after the install.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends haproxy \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && olduid="$(id -u haproxy)" && oldgid="$(id -g haproxy)" \
    && groupmod --gid 99 haproxy && usermod --uid 99 --gid 99 haproxy \
    && find / -xdev \( -uid "$olduid" -o -gid "$oldgid" \) -exec chown -h haproxy:haproxy {} + \
    && mkdir -p /usr/local/etc/haproxy /var/lib/haproxy \
    && chown haproxy:haproxy /var/lib/haproxy
STOPSIGNAL SIGUSR1
USER haproxy
WORKDIR /var/lib/haproxy
CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
