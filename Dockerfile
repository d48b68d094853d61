# syntax=docker/dockerfile:1
# Bellwether production image.
#
#   deps    production dependencies only (npm ci --omit=dev); better-sqlite3 compiles here when
#           no prebuilt binary fits, so the toolchain stays in this stage
#   build   compiles TypeScript with the dev dependencies; only dist/ leaves it
#   final   node + node_modules (deps) + dist (build) + package.json + config, as a non-root
#           user; works with a read-only root filesystem (only /app/data is written)
#
# tests/deploy/runtime-stage.test.ts reads this file and performs the final stage's steps
# without Docker (production install from the lockfile, then start the server), and
# tests/deploy/dockerfile.test.ts checks the rest: keep the stage names and COPY lines simple.
#
#   docker build -t bellwether:0.1.0 \
#     --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
#   docker run --read-only -p 9477:9477 -v bellwether-data:/app/data \
#     -e OPENAI_API_KEY -e ANTHROPIC_API_KEY bellwether:0.1.0

# Node 24 is the active LTS line. Pin a digest (node:24-bookworm-slim@sha256:…) in production
# and let Renovate or Dependabot move it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Only the compiler runs in this stage: no install scripts, so no native build to throw away.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS final
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=""
ARG CREATED=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="bellwether" \
      org.opencontainers.image.description="Watches the AI vendors your security tooling depends on: probes, circuit breakers, Prometheus metrics and a status API." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# SQLite spills large sorts to temporary files; with a read-only root filesystem the data
# volume is the only writable place, and SQLite unlinks those files as soon as it opens them.
ENV NODE_ENV=production \
    SQLITE_TMPDIR=/app/data
WORKDIR /app
# Code and config belong to root and are not writable by the user the process runs as.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# Numeric (the image's "node" user) so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
VOLUME ["/app/data"]
# Same as server.port in config/bellwether.yaml.
EXPOSE 9477
# Uses PORT when set; set it too if you move the port in the config file.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||9477)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 (exec form, no shell) and `bellwether run` handles SIGTERM and SIGINT itself:
# it stops scheduling, waits for in-flight probes, closes the server and the database, exits 0.
# It starts no child processes, so no init is needed to reap zombies (`docker run --init` is
# harmless if your platform adds one).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run", "--config", "config/bellwether.yaml"]
