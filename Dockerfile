# syntax=docker/dockerfile:1
# The probe image (@fislat/probe). Without Docker, `node scripts/probe-image.mjs` runs these very
# build steps (the RUN, COPY and WORKDIR lines of both stages) and starts the result: see its header.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
RUN npm install --global pnpm@12.24.0
# Manifests first, so the dependency layer is cached until a manifest or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/probe/package.json packages/probe/
COPY packages/probe/bin packages/probe/bin
COPY packages/latency-proxy/package.json packages/latency-proxy/
COPY packages/latency-proxy/bin packages/latency-proxy/bin
COPY packages/dynamo-local/package.json packages/dynamo-local/
COPY packages/cli/package.json packages/cli/
COPY packages/infra/package.json packages/infra/
RUN pnpm install --frozen-lockfile --prefer-offline --filter @fislat/probe
COPY packages/probe/tsconfig.json packages/probe/
COPY packages/probe/src packages/probe/src
RUN pnpm --filter @fislat/probe run build
RUN pnpm --filter @fislat/probe deploy --prod --legacy image

FROM node:${NODE_VERSION}-bookworm-slim
# Port 80 as a non-root user: give node the one capability it needs instead of running as root.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep "$(readlink -f /usr/local/bin/node)" \
 && apt-get purge --yes libcap2-bin && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/image/ ./
USER node
EXPOSE 80
STOPSIGNAL SIGTERM
# Liveness only (/live): /health turns 503 by design while DynamoDB is slow, and a container
# health check on it would have the task replaced in the middle of the experiment (issue 12).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||80)+'/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The flags are PROBE_NODE_FLAGS of packages/probe/src/launch.ts (the image test checks they agree).
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "dist/main.js"]
