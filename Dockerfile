# syntax=docker/dockerfile:1.7
# Bosun: compile the TypeScript with the development dependencies, install the production ones
# apart, then a slim runtime with dist/, tini, bubblewrap and a pinned OpenTofu. Multi-arch:
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg TOFU_SHA256_AMD64=<sha256> --build-arg TOFU_SHA256_ARM64=<sha256> -t bosun .
# Never built on this project's machines (no Docker engine there): see README, "Docker".

# Node 22 (LTS). Pinned by digest; the digest was read from public Dockerfiles, not pulled here.
# Refresh it: docker buildx imagetools inspect node:22-bookworm-slim (the index digest, for both
# architectures).
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS opentofu
ARG TARGETARCH
ARG TOFU_VERSION=1.11.5
# The archive of each architecture is checked against the release's SHA256SUMS and against the
# checksum given here; without the one for the architecture being built the build stops.
ARG TOFU_SHA256_AMD64
ARG TOFU_SHA256_ARM64
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tmp/tofu
RUN case "${TARGETARCH}" in \
      amd64) expected="${TOFU_SHA256_AMD64}" ;; \
      arm64) expected="${TOFU_SHA256_ARM64}" ;; \
      *) echo "unsupported architecture ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
 && test -n "${expected}" || { echo "TOFU_SHA256_$(echo "${TARGETARCH}" | tr a-z A-Z) build argument is required" >&2; exit 1; } \
 && base="https://github.com/opentofu/opentofu/releases/download/v${TOFU_VERSION}" \
 && archive="tofu_${TOFU_VERSION}_linux_${TARGETARCH}.tar.gz" \
 && curl -fsSLO "${base}/${archive}" \
 && curl -fsSLO "${base}/tofu_${TOFU_VERSION}_SHA256SUMS" \
 && grep " ${archive}\$" "tofu_${TOFU_VERSION}_SHA256SUMS" | sha256sum -c - \
 && echo "${expected}  ${archive}" | sha256sum -c - \
 && tar -xzf "${archive}" tofu \
 && install -m 0755 tofu /usr/local/bin/tofu

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    BOSUN_DATA_DIR=/var/lib/bosun \
    PORT=3000
# tini: PID 1 that forwards SIGTERM to Bosun (which then drains) and reaps the engines' orphans.
# bubblewrap: the engine sandbox; it needs unprivileged user namespaces, which Docker's default
# seccomp profile refuses: see docs/security.md, "Containers and Kubernetes".
# git: engines fetch git module sources with it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini bubblewrap ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bosun \
 && useradd --system --uid 10001 --gid bosun --home-dir /var/lib/bosun bosun \
 && mkdir -p /var/lib/bosun && chown bosun:bosun /var/lib/bosun && chmod 0711 /var/lib/bosun
COPY --from=opentofu /usr/local/bin/tofu /usr/local/bin/tofu
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
COPY migrations ./migrations
# The vendors' release signing keys engine downloads are verified against (src/runner/engine-signing-keys.ts).
COPY keys ./keys
# `docker exec <container> bosun secrets list …`: bin/bosun.js runs dist/ (there are no sources).
RUN ln -s /app/bin/bosun.js /usr/local/bin/bosun
USER 10001:10001
VOLUME ["/var/lib/bosun"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli.js"]
CMD ["start"]
