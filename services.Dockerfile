# syntax=docker/dockerfile:1
# The back-end services, one image each from this one file: SERVICE names the workspace (orders, payments,
# expiration, ...). Built from the repository root, which holds the npm workspaces:
#   docker build -f services.Dockerfile --build-arg SERVICE=orders -t ticketing/orders .
# skaffold.yaml passes SERVICE as a buildArg for each artifact. The web client has its own, client/Dockerfile.
ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: compile the shared packages and the service with the workspace's TypeScript -------------------
FROM ${NODE_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || (echo 'build with --build-arg SERVICE=<workspace>' >&2 && exit 1)
WORKDIR /app
# The manifests first, so the dependency layer is reused until they change. npm ci checks the lockfile
# against every workspace, so all of their package.json files are needed.
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/bus/package.json packages/bus/
COPY packages/service/package.json packages/service/
COPY packages/testing/package.json packages/testing/
COPY orders/package.json orders/
COPY payments/package.json payments/
COPY expiration/package.json expiration/
COPY client/package.json client/
COPY tools/stripe-fake/package.json tools/stripe-fake/
RUN npm ci --workspace packages/contracts --workspace packages/bus --workspace packages/service --workspace ${SERVICE} --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY packages/contracts/tsconfig.json packages/contracts/
COPY packages/contracts/src packages/contracts/src
COPY packages/bus/tsconfig.json packages/bus/
COPY packages/bus/src packages/bus/src
COPY packages/service/tsconfig.json packages/service/
COPY packages/service/src packages/service/src
COPY ${SERVICE}/tsconfig.json ${SERVICE}/
COPY ${SERVICE}/src ${SERVICE}/src
RUN npx tsc -b packages/contracts packages/bus packages/service ${SERVICE}

# --- runtime: production dependencies and the compiled output only -------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/bus/package.json packages/bus/
COPY packages/service/package.json packages/service/
COPY packages/testing/package.json packages/testing/
COPY orders/package.json orders/
COPY payments/package.json payments/
COPY expiration/package.json expiration/
COPY client/package.json client/
COPY tools/stripe-fake/package.json tools/stripe-fake/
# The service's dependencies and, through the workspace links, the shared packages'; no dev dependencies.
RUN npm ci --omit=dev --workspace ${SERVICE} --include-workspace-root=false --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/packages/contracts/dist packages/contracts/dist
COPY --from=build /app/packages/bus/dist packages/bus/dist
COPY --from=build /app/packages/service/dist packages/service/dist
COPY --from=build /app/${SERVICE}/dist ${SERVICE}/dist
# CMD's exec form expands no variables: the service's directory is the working directory instead, so the
# one CMD runs /app/<SERVICE>/dist/index.js. Node resolves modules from the file, not from the directory.
WORKDIR /app/${SERVICE}
# The image's unprivileged user (uid 1000, as the pods' securityContext says).
USER node
EXPOSE 3000
# Node itself is PID 1: the service handles SIGTERM and shuts down within SHUTDOWN_TIMEOUT_MS. Run-time
# settings (the expiration service's heap limits included) come from the Deployment, not the image.
CMD ["node", "dist/index.js"]
