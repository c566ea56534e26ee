# syntax=docker/dockerfile:1
# Food Fleet: build the TypeScript once, run the JavaScript with production dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/
COPY web/package.json ./web/
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The admin console (web/, built into web/dist) and the typed client it is built from.
COPY clients/typescript ./clients/typescript
COPY web ./web
# The embedded database's template (an initdb done at build time) is written into dist/.
COPY bin/pglite-template.mjs ./bin/
RUN npm run build \
 # Email templates are read at run time from src/modules/<module>/templates/: keep only those.
 && mkdir -p /templates \
 && cd src && find modules -path '*/templates/*' -type f -exec cp --parents {} /templates \;

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/
COPY web/package.json ./web/
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /templates/modules ./src/modules
COPY migrations ./migrations
RUN mkdir -p /app/data/uploads && chown -R node:node /app/data
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself (no shell in between to swallow it). The
# flags are `npm start`'s (README "Deploy").
CMD ["node", "--max-semi-space-size=4", "--single-threaded-gc", "--v8-pool-size=1", "dist/main.js"]
