# One image for all five apps. SERVICE chooses which one runs: gateway, customer-service, metering-service,
# invoicing-service or notification-service (each app folder is run with `tsx src/main.ts`, exactly as `npm start` runs it natively).
#   docker build -t afternoon .
#   docker run -e SERVICE=customer-service -e PORT=4001 -e DATABASE_URL=... -e KAFKA_BROKERS=... afternoon
FROM node:20-slim

ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 CI=true
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate

WORKDIR /app

# Manifests first: the dependency layer is rebuilt only when a package.json or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/gateway/package.json apps/gateway/
COPY apps/customer-service/package.json apps/customer-service/
COPY apps/metering-service/package.json apps/metering-service/
COPY apps/invoicing-service/package.json apps/invoicing-service/
COPY apps/notification-service/package.json apps/notification-service/
COPY packages/contracts/package.json packages/contracts/
COPY packages/billing-core/package.json packages/billing-core/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/testkit/package.json packages/testkit/
RUN pnpm install --frozen-lockfile

COPY . .
# LOCAL_DIR holds the gateway's generated admin token when ADMIN_TOKEN is unset (mount a volume there to keep it).
RUN mkdir -p /app/.local && chown node:node /app/.local

ENV NODE_ENV=production SERVICE=gateway PORT=3000 LOCAL_DIR=/app/.local
USER node
EXPOSE 3000 4001 4002 4003 4004

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# `exec` replaces sh with tsx, so `docker stop`'s SIGTERM reaches tsx, which relays it to the app for a graceful
# shutdown. Run with an init (`docker run --init`, compose `init: true`) so PID 1 reaps and forwards signals.
CMD ["sh", "-c", "cd \"apps/$SERVICE\" && exec /app/node_modules/.bin/tsx src/main.ts"]
