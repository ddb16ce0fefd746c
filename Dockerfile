# Jasper: Probot GitHub App. Two stages: build compiles TypeScript to dist/ with the dev
# dependencies; runtime gets only the production dependencies and the compiled output.
# The project runs no npm install scripts, so both installs use --ignore-scripts.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that this layer is cached until package*.json change.
COPY package.json package-lock.json ./
# npm install, not npm ci: see .ci/run (the lock cannot list every platform build).
RUN npm install --no-save --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The dashboard (Vite): built into dist/web, which the server serves at /billing.
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --no-audit --no-fund --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# Probot reads the GitHub App manifest from the working directory.
COPY app.yml ./
# The files stay owned by root: the app process can read them, not change them.
USER node
EXPOSE 3000
# The app, whose JASPER_ROLE (web, worker, all) says what it runs. The image also runs the
# operator commands, from the compiled output since it has neither src/ nor tsx:
# `node dist/cli/migrate.js` (before the app: builds the indexes the app checks for) and
# `node dist/cli/ledger-verify.js` (read-only), and `node dist/cli/jasper-admin.js` (the
# operators' tools: README, "Operators").
CMD ["node", "--enable-source-maps", "dist/main.js"]
