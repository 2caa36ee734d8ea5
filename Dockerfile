# syntax=docker/dockerfile:1

# ---- build: install everything, compile TypeScript, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build

# better-sqlite3 compiles its native addon when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# The npm that honours package.json's allowScripts (Node 20 ships npm 10, which ignores it
# and would run every install script).
RUN npm install -g npm@11.19.1

WORKDIR /app

COPY package.json package-lock.json .npmrc ./
# npm at its usual level here, whatever the caller's environment says.
RUN npm ci --loglevel=notice --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
RUN npm run build --loglevel=notice \
 && npm prune --omit=dev --loglevel=notice

# ---- runtime: compiled code and production dependencies only ----
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The default DATABASE_URL (sqlite:data/crm-files.sqlite) and FILES_DIR (data/files) both live
# here; the folder belongs to the user the service runs as, so a fresh volume is writable.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data

USER node
EXPOSE 3000

HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# main.js applies pending migrations before it starts serving.
CMD ["node", "dist/src/main.js"]
