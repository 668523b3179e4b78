#!/usr/bin/env bash
# Builds and runs examples/quickstart: against the real API when ANTHROPIC_API_KEY is set,
# otherwise against the bundled local emulator (no key, no network).
#   scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build_dir=${BUILD_DIR:-build/quickstart}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DANTHROPIC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target quickstart >/dev/null
exec "$build_dir/examples/quickstart"
