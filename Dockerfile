# Campus Graph container image.
#
#   docker build -t campus-graph .
#   docker run --rm -p 4000:4000 --env-file /etc/campus-graph/env --stop-timeout 15 campus-graph
#
# Configuration comes from the environment (--env-file, or a Kubernetes Secret/ConfigMap); no .env is in the
# image (.dockerignore). Give `docker stop` / the orchestrator more time than SHUTDOWN_GRACE_MS (10 s): the
# Docker default is 10 s, hence --stop-timeout 15 above.

# --- Build: every dependency (esbuild is a devDependency), then dist/ from src/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds dist/ and the sources are not copied yet (this layer stays cached while
# only src/ changes); the build runs explicitly below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# --- Runtime: production dependencies, dist/ and package.json only.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` needs esbuild, which --omit=dev leaves out.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root: the gateway reads them and writes nothing to disk (logs go to stdout).
USER node
EXPOSE 4000
STOPSIGNAL SIGTERM
# Liveness only (/health never calls an upstream). Follows PORT when it is set in the environment; a PORT
# set only in a file named by ENV_FILE is not seen here.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The flags of package.json's start script, without its prestart build.
CMD ["node", "--enable-source-maps", "--max-semi-space-size=4", "--max-old-space-size=128", "dist/main.js"]
