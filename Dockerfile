# stressd daemon image. Build: docker build -t stressd .   (docs/operations.md#deploying)
# Run: docker run --init -e STRESSD_TOKEN=$(openssl rand -hex 24) -p 127.0.0.1:9464:9464 stressd
#
# Two stages: the build stage installs every dependency and compiles src/ to dist/; the image
# keeps only dist/, the production dependencies and what the daemon reads (configs, runbooks).
# No TypeScript, no tsx, no esbuild at run time.
# The base: the official Node 24 image, or any image with node and npm on PATH and a `node` user
# (the compose stack test builds one from debootstrap and the npm registry, pulling nothing).
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS build

WORKDIR /app
# Dependencies first, so source edits do not reinstall them. --ignore-scripts: `prepare` would
# build before the sources are here; the build runs below.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}

WORKDIR /app
ENV NODE_ENV=production
# A daemon that lives for months: a 4 MB cap on V8's semi-space and two malloc arenas, or its RSS steps
# up over hours with nothing live behind it (docs/operations.md "Memory"; docs/benchmarks.md, Soak).
# Here rather than in CMD so that every way of running the image (compose, Kubernetes args) gets them;
# the executor child gets them from the daemon (src/executor/child.ts), the tests' commands never.
ENV NODE_OPTIONS=--max-semi-space-size=4 \
    MALLOC_ARENA_MAX=2

# Everything stays root-owned and read-only to the daemon; it writes only its reports.
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY configs ./configs
COPY docs ./docs
RUN mkdir -p /data/reports && chown -R node:node /data
USER node

# The daemon listens on 0.0.0.0 so that Prometheus can reach it, which it refuses to do without
# STRESSD_TOKEN (it guards POST /api/runs): the token is given at run time, never baked in.
ENV STRESSD_HOST=0.0.0.0 \
    STRESSD_PORT=9464 \
    STRESSD_REPORTS_DIR=/data/reports \
    STRESSD_CONFIG=configs/demo.json
EXPOSE 9464
VOLUME ["/data/reports"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.STRESSD_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node is PID 1 here unless the container runs with an init (`docker run --init`, compose's
# `init: true`), which reaps the test commands' orphans.
CMD ["node", "dist/cli.js", "daemon", "--run-on-start"]
