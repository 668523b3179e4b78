#!/usr/bin/env bash
# Runs lifecycle.mjs (a whole Message Batches lifecycle, GA and beta, with the official TypeScript
# SDK) against the real anthropic-batch-emulator program. The ctest official_sdk_lifecycle.
#
#   tests/official_sdk/run_lifecycle.sh EMULATOR_BINARY SDK_CACHE_DIR
#
# SDK_CACHE_DIR (ctest: ${CMAKE_BINARY_DIR}/official_sdk) holds the `npm install --prefix` of
# @anthropic-ai/sdk@$sdk_version; it is installed on the first run and reused while it holds that
# version. The emulator listens on a free 127.0.0.1 port (--port 0, read from its "listening on"
# line) and is stopped on exit. Exit codes: the script's (0 = passed), 77 = skipped (node or npm
# missing, node too old, or npm install failed: no registry), 1 = the emulator did not start or
# did not stop cleanly.
set -euo pipefail

# The SDK release the test is held to: the latest 1.x on npm when this was written.
sdk_version="1.16.0"
min_node_major=18

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 2 ] || {
  echo "usage: $0 EMULATOR_BINARY SDK_CACHE_DIR" >&2
  exit 2
}
emulator="$1"
cache="$2"

skip() {
  echo "official_sdk_lifecycle: SKIPPED: $*" >&2
  exit 77
}
die() {
  echo "official_sdk_lifecycle: $*" >&2
  exit 1
}

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || skip "'$tool' is not installed (Debian: apt-get install nodejs npm)"
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge "$min_node_major" ] ||
  skip "node $(node --version) is older than the $min_node_major the SDK needs"
[ -x "$emulator" ] || die "no emulator program at '$emulator'"

# Find or install the pinned SDK.
installed_version() {
  node -p "require(process.argv[1]).version" \
    "$cache/node_modules/@anthropic-ai/sdk/package.json" 2>/dev/null || true
}
if [ "$(installed_version)" != "$sdk_version" ]; then
  mkdir -p "$cache"
  echo "official_sdk_lifecycle: npm install @anthropic-ai/sdk@$sdk_version into $cache" >&2
  # Bounded, so that a registry that does not answer is a skip well within the ctest TIMEOUT
  # rather than npm's default of minutes of retries.
  if ! npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
    --fetch-retries=1 --fetch-timeout=30000 \
    "@anthropic-ai/sdk@$sdk_version" >"$cache/npm.log" 2>&1; then
    tail -n 20 "$cache/npm.log" >&2
    skip "npm install @anthropic-ai/sdk@$sdk_version failed (registry unreachable?); log: $cache/npm.log"
  fi
  [ "$(installed_version)" = "$sdk_version" ] ||
    skip "npm install did not leave @anthropic-ai/sdk $sdk_version in $cache"
fi

work="$(mktemp -d -t official-sdk-lifecycle.XXXXXX)"
api_key="sk-ant-official-sdk-test"
emulator_pid=""
stop_emulator() {
  local status=0
  if [ -n "$emulator_pid" ]; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || status=$?
    emulator_pid=""
  fi
  return "$status"
}
cleanup() {
  stop_emulator || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Batches end 500 ms after creation (a cancel takes a quarter of that), so the whole run takes a
# few seconds.
"$emulator" --port 0 --processing-ms 500 --api-key "$api_key" \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
base_url=""
for _ in $(seq 100); do
  base_url="$(sed -n 's/^listening on //p' "$work/emulator.out")"
  [ -n "$base_url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base_url" ]; then
  cat "$work/emulator.err" >&2
  die "the emulator did not print 'listening on' within 10 s"
fi

status=0
ANTHROPIC_API_KEY="$api_key" node "$here/lifecycle.mjs" --sdk-dir "$cache" --base-url "$base_url" ||
  status=$?

if ! stop_emulator; then
  cat "$work/emulator.err" >&2
  echo "official_sdk_lifecycle: the emulator did not exit cleanly on SIGTERM" >&2
  [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
  echo "official_sdk_lifecycle: FAILED (exit $status)" >&2
  # 77 means "skipped" to ctest; a failure must never read as one.
  [ "$status" -ne 77 ] || status=1
fi
exit "$status"
