# syntax=docker/dockerfile:1
# One image, two entrypoints: the data-plane node (default) and the operator.
#   docker run redshard                      -> redshard-node (args as for redis-server)
#   docker run redshard redshard-operator kube
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY common ./common
COPY node ./node
COPY operator ./operator
COPY scripts/gen-crd.ts ./scripts/gen-crd.ts
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="redshard" \
      org.opencontainers.image.description="Redis-Cluster-compatible sharded key-value store and its Kubernetes operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="BSD-3-Clause"
ENV NODE_ENV=production REDSHARD_IN_CONTAINER=1
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY crds ./crds
RUN ln -s /app/bin/redshard-node.js /usr/local/bin/redshard-node \
 && ln -s /app/bin/redshard-operator.js /usr/local/bin/redshard-operator \
 && ln -s /app/bin/redshard.js /usr/local/bin/redshard \
 && mkdir -p /data && chown node:node /data
USER node
WORKDIR /data
EXPOSE 6379 16379
# The node answers PING on the port (and bind address) of its own command line or config file,
# read from /proc/1; the operator image overrides the check in its pod spec.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "/app/bin/healthcheck.js"]
# Node handles SIGTERM itself (saves nodes.conf, flushes the append-only file), so no init shim.
STOPSIGNAL SIGTERM
ENTRYPOINT ["redshard-node"]
CMD ["--port", "6379", "--dir", "/data"]
