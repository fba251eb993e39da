# The relay, as docker-compose.wordpress.yml runs it: Node 20, locked dependencies, started with `npm start` (tsx).
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    PAYRELAY_DB=/app/data/payrelay.db \
    PAYRELAY_PORT=8787

# Dependencies first so a code change does not reinstall them. tsx (npm start) is a runtime dependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Only what the relay runs: copying named paths keeps node_modules, data and secrets of the build host out.
COPY tsconfig.json ./
COPY relay ./relay
# The contracts the relay shares with the plugin (shopper messages, meta keys).
COPY shared ./shared

RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8787
CMD ["npm", "start"]
