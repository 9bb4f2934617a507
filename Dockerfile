# One image for the four services; pick one with the command, e.g.
#   docker run deploybot node dist/apps/gateway/apps/gateway/src/main.js
# Each service applies its memory settings itself (V8 heap sizes, MALLOC_ARENA_MAX: docs/operations.md,
# "Memory"); set NODE_OPTIONS (e.g. -e NODE_OPTIONS=--max-old-space-size=1024) to override one.
# Build stage: install everything from the lock and build all four apps.
FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
# nest build --all, then the deployer's entry point bundled with only what it uses of
# @kubernetes/client-node (scripts/bundle-deployer.ts).
RUN npm run build

# Runtime stage: production dependencies and the built output only, as an unprivileged user.
FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config.yml ./config.yml
USER node
EXPOSE 3000 3001 3002 3003
CMD ["node", "dist/apps/gateway/apps/gateway/src/main.js"]
