# stressd daemon image. Build: docker build -t stressd .   (docs/operations.md#deploying)
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so source edits do not reinstall them. tsx runs the TypeScript sources.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
RUN mkdir -p /data/reports && chown -R node:node /data
USER node

# Beyond loopback the daemon refuses to start without STRESSD_TOKEN (it guards POST /api/runs).
ENV STRESSD_HOST=0.0.0.0 \
    STRESSD_PORT=9464 \
    STRESSD_REPORTS_DIR=/data/reports \
    STRESSD_CONFIG=configs/demo.json
EXPOSE 9464
VOLUME ["/data/reports"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "--import", "tsx", "src/cli.ts", "daemon", "--host", "0.0.0.0", "--run-on-start"]
