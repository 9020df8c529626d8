# stressd daemon image. Build: docker build -t stressd .   (docs/operations.md#deploying)
# Run: docker run -e STRESSD_TOKEN=$(openssl rand -hex 24) -p 127.0.0.1:9464:9464 stressd
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so source edits do not reinstall them. tsx, which runs the TypeScript
# sources, is a runtime dependency: --omit=dev keeps it (test/ops/dockerfile.test.ts checks that
# everything src/ imports is one).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Sources stay root-owned and read-only to the daemon; it writes only its reports.
COPY . .
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

CMD ["node", "--import", "tsx", "src/cli.ts", "daemon", "--run-on-start"]
