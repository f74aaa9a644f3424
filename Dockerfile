# syntax=docker/dockerfile:1.7
# Bosun: build the TypeScript, then a slim runtime with the app and a pinned OpenTofu.
# Not built in this repository's CI (its machines have no Docker engine); see README "Docker".

ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM debian:bookworm-slim AS opentofu
ARG TOFU_VERSION=1.11.5
# Pin the archive's checksum at build time: --build-arg TOFU_SHA256=<sha256 of
# tofu_${TOFU_VERSION}_linux_amd64.tar.gz>. The archive is also checked against the release's
# SHA256SUMS; without TOFU_SHA256 the build refuses to continue.
ARG TOFU_SHA256
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tmp/tofu
RUN test -n "${TOFU_SHA256}" || { echo "TOFU_SHA256 build argument is required" >&2; exit 1; } \
 && base="https://github.com/opentofu/opentofu/releases/download/v${TOFU_VERSION}" \
 && archive="tofu_${TOFU_VERSION}_linux_amd64.tar.gz" \
 && curl -fsSLO "${base}/${archive}" \
 && curl -fsSLO "${base}/tofu_${TOFU_VERSION}_SHA256SUMS" \
 && grep " ${archive}\$" "tofu_${TOFU_VERSION}_SHA256SUMS" | sha256sum -c - \
 && echo "${TOFU_SHA256}  ${archive}" | sha256sum -c - \
 && tar -xzf "${archive}" tofu \
 && install -m 0755 tofu /usr/local/bin/tofu

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    BOSUN_DATA_DIR=/var/lib/bosun \
    PORT=3000
# bubblewrap sandboxes every engine run; it needs unprivileged user namespaces, which Docker's
# default seccomp profile refuses: see docs/security.md "Containers and Kubernetes".
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system bosun && useradd --system --gid bosun --home-dir /var/lib/bosun bosun \
 && mkdir -p /var/lib/bosun && chown bosun:bosun /var/lib/bosun
COPY --from=opentofu /usr/local/bin/tofu /usr/local/bin/tofu
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json app.yml ./
COPY --chown=root:root migrations ./migrations
# The vendors' release signing keys engine downloads are verified against (src/runner/engine-signing-keys.ts).
COPY --chown=root:root keys ./keys
USER bosun
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["start"]
