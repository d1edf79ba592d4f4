# Tollgate image (used by docker-compose.local.yml and docker-compose.yml): the API by default; the
# Kafka worker with `node apps/worker/dist/main.js` (and `… main.js migrate` for the one-shot prepare).
#
#   docker build -t tollgate-api .
#   docker run -e API_KEY="$(openssl rand -hex 24)" -p 127.0.0.1:3001:3001 -v tollgate-data:/data tollgate-api
#
# The image listens on 0.0.0.0 inside the container, so it refuses to start without credentials
# (API_KEY, JWT_SECRET or JWT_JWKS_URL): an open API must never be published by accident. API_KEY is
# the instance admin (creates projects and their tg_sk_ keys: docs/security.md). `-e LOCAL_MODE=true`
# runs it open on purpose, with a warning at every start. Projects and keys from inside the container:
#   docker exec <container> node apps/api/dist/cli.js keys create default --scopes ingest
#
# Debian (glibc) rather than Alpine: chdb ships prebuilt glibc-only libraries
# (@chdb/lib-linux-*-gnu), and better-sqlite3's prebuilds are glibc too.
# Pinned to an exact Node release; the same tag is used for both stages.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---------------------------------------------------------------------------
# Stage 1: install (with dev dependencies), compile, prune.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

# Toolchain for native modules that fall back to compiling from source
# (better-sqlite3 via node-gyp when no prebuild matches). Build stage only, so the
# Debian package versions are left to the pinned base image's release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Manifests first so the dependency layer is cached until they change.
# A new workspace (e.g. apps/worker) needs its package.json line here.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/store/package.json packages/store/
COPY packages/pipeline/package.json packages/pipeline/
COPY packages/policy/package.json packages/policy/
COPY packages/sdk/package.json packages/sdk/
COPY apps/api/package.json apps/api/
COPY packages/reports/package.json packages/reports/
COPY apps/worker/package.json apps/worker/
COPY apps/web/package.json apps/web/
RUN --mount=type=cache,target=/root/.npm npm ci

# Sources, then `tsc -b` over the project references (root "build" script).
COPY tsconfig.json tsconfig.base.json ./
COPY packages/ packages/
COPY apps/ apps/
# Then drop dev dependencies (typescript, vitest, eslint, ...); workspace links stay.
RUN npm run build && npm prune --omit=dev

COPY migrations/ migrations/
# PII patterns and injection phrases, read at start by packages/pipeline (scan-config.ts).
COPY data/ data/

# Collect exactly what the runtime needs into /out, keeping the repo layout so
# node_modules/@tollgate/* symlinks (../../packages/*, ../../apps/*) resolve:
# root manifests + node_modules + migrations + data, and per workspace its
# package.json, dist/ and node_modules/ (if npm nested any).
RUN set -eu; \
    mkdir -p /out; \
    cp -a package.json package-lock.json node_modules migrations data /out/; \
    for ws in $(node -p "require('./package.json').workspaces.join(' ')"); do \
      case "$ws" in *'*'*) echo "workspace globs are not supported here: $ws" >&2; exit 1;; esac; \
      mkdir -p "/out/$ws"; \
      cp -a "$ws/package.json" "/out/$ws/"; \
      if [ -d "$ws/dist" ]; then cp -a "$ws/dist" "/out/$ws/"; fi; \
      if [ -d "$ws/node_modules" ]; then cp -a "$ws/node_modules" "/out/$ws/"; fi; \
    done; \
    find /out -path '*/dist/.tsbuildinfo' -delete; \
    test -f /out/apps/api/dist/main.js; \
    test -f /out/apps/worker/dist/main.js; \
    test -f /out/apps/web/dist/index.html

# ---------------------------------------------------------------------------
# Stage 2: runtime. No compilers, no dev dependencies, non-root.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

ENV NODE_ENV=production \
    PORT=3001 \
    HOST=0.0.0.0 \
    DATA_DIR=/data

WORKDIR /app
# Owned by root and read-only for the app user; only DATA_DIR is writable.
COPY --from=build /out/ /app/

RUN mkdir -p /data && chown node:node /data
# The base image's `node` user, by number so runAsNonRoot-style checks can verify it.
USER 1000:1000
VOLUME /data
EXPOSE 3001

# Slim images have no curl/wget; Node 20 has fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# A larger young generation: ingest allocates many short-lived objects per span, and scavenges with
# the default 16 MB semi-space took ~13% of the main thread (bench:ingest: 274 vs 330 µs of CPU a span).
# In NODE_OPTIONS so the worker and the one-shot prepare (compose commands) get it too.
ENV NODE_OPTIONS="--max-semi-space-size=64"
CMD ["node", "apps/api/dist/main.js"]
