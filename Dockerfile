# One image for all five apps. SERVICE chooses which one runs: gateway, customer-service, metering-service,
# invoicing-service or notification-service; each runs compiled, as `node apps/$SERVICE/dist/main.js` (ADR 0024).
#   docker build -t afternoon .
#   docker run --init -e SERVICE=customer-service -e PORT=4001 -e DATABASE_URL=... -e KAFKA_BROKERS=... afternoon
# Stages: `manifests` (pnpm and every package.json), `build` (all dependencies, `turbo run build`),
# `production-dependencies` (the apps' production dependencies only), then the runtime image: node, those
# dependencies, each app's dist/ and migrations; no sources, no pnpm, no compiler, running as the `node` user.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS manifests
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 CI=true
RUN corepack enable && corepack prepare pnpm@10.34.9 --activate
WORKDIR /app
# Manifests first: the dependency layers are rebuilt only when a package.json or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies these to dependencies as it installs them (package.json's pnpm.patchedDependencies, ADR 0046).
COPY patches patches/
COPY apps/gateway/package.json apps/gateway/
COPY apps/customer-service/package.json apps/customer-service/
COPY apps/metering-service/package.json apps/metering-service/
COPY apps/invoicing-service/package.json apps/invoicing-service/
COPY apps/notification-service/package.json apps/notification-service/
COPY packages/contracts/package.json packages/contracts/
COPY packages/billing-core/package.json packages/billing-core/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/testkit/package.json packages/testkit/
COPY packages/faults/package.json packages/faults/
COPY packages/sdk/package.json packages/sdk/

FROM manifests AS build
RUN pnpm install --frozen-lockfile
COPY . .
# esbuild bundles each app's sources and the workspace packages into apps/<app>/dist (infra/build/bundleApp.mjs).
RUN TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build

FROM manifests AS production-dependencies
# Only the apps' own production dependencies: the bundles carry the workspace packages (and what those use that an
# app does not declare), so neither the packages' node_modules nor any devDependency is installed.
RUN pnpm install --frozen-lockfile --prod --ignore-scripts --filter './apps/*'

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=production-dependencies /app ./
COPY --from=build /app/apps/gateway/dist apps/gateway/dist
COPY --from=build /app/apps/customer-service/dist apps/customer-service/dist
COPY --from=build /app/apps/metering-service/dist apps/metering-service/dist
COPY --from=build /app/apps/invoicing-service/dist apps/invoicing-service/dist
COPY --from=build /app/apps/notification-service/dist apps/notification-service/dist
# Migrations run at start and are read beside the sources they belong to, as in the repository (ADR 0024).
COPY apps/gateway/migrations apps/gateway/migrations
COPY apps/customer-service/migrations apps/customer-service/migrations
COPY apps/metering-service/migrations apps/metering-service/migrations
COPY apps/invoicing-service/migrations apps/invoicing-service/migrations
COPY apps/notification-service/migrations apps/notification-service/migrations
COPY packages/service-kit/migrations packages/service-kit/migrations
# LOCAL_DIR holds the gateway's generated admin token when ADMIN_TOKEN is unset (mount a volume there to keep it).
RUN mkdir -p /app/.local && chown node:node /app/.local

ENV NODE_ENV=production SERVICE=gateway PORT=3000 LOCAL_DIR=/app/.local
# V8's old space, as every launcher of the apps bounds it (APP_HEAP_OPTION in infra/lib/apps.mjs, ADR 0044).
ENV NODE_OPTIONS=--max-old-space-size=384
USER node
EXPOSE 3000 4001 4002 4003 4004

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# `exec` replaces sh with node, so `docker stop`'s SIGTERM reaches the app itself, which shuts down gracefully and
# exits 0. Run with an init (`docker run --init`, compose `init: true`) so PID 1 reaps and forwards signals.
CMD ["sh", "-c", "exec node \"apps/$SERVICE/dist/main.js\""]
