# The relay, as docker-compose.wordpress.yml runs it: Node 20, locked dependencies, compiled JavaScript run by node
# itself (PID 1 gets SIGTERM, so `docker stop` drains the outbox write in hand and closes the database cleanly).

# Build stage: dev dependencies (TypeScript) and the sources, compiled into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY relay ./relay
# The contracts the relay shares with the plugin (shopper messages); the build copies the ones it imports.
COPY shared ./shared
RUN npm run build

# Run stage: production dependencies and the build output only (no TypeScript, no tsx, no sources).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    PAYRELAY_DB=/app/data/payrelay.db \
    PAYRELAY_PORT=8787
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The OpenAPI document is served at /openapi.yaml.
COPY shared/openapi.yaml ./shared/openapi.yaml

RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8787
# node directly, not npm start: npm would be PID 1 and the relay would never see SIGTERM.
CMD ["node", "dist/relay/src/main.js"]
