#!/usr/bin/env bash
# Compares this SDK with the official TypeScript SDK (@anthropic-ai/sdk 0.137.0, the last release on
# the beta wire form) on the same workloads against the same local server:
#   create   of 100,000 typical requests (building the typed requests + create)
#   create-streamed  the same batch, built one request at a time into BatchCreateBodyBuilder and
#            sent with create_encoded (the SDK's path for large batches); the official SDK's side
#            is its create, its only way
#   results  of 100,000 typical succeeded lines (results + iterating every decoded line)
#   retrieve 1,000 sequential calls (on one client: one TCP connection expected)
#
#   bench/compare_official_sdk.sh            # from the repository root; RUNS=5 by default
#   RUNS=9 BUILD_DIR=/tmp/b bench/compare_official_sdk.sh
#   NO_BUILD=1 BUILD_DIR=build-rel bench/compare_official_sdk.sh   # use the programs built there
#
# It installs the build dependencies (scripts/install-deps.sh, plus `time` and
# libbenchmark-dev), builds the benchmarks in Release into $BUILD_DIR (default build/bench),
# installs the official SDK with npm into a temporary folder, starts anthropic-bench-server, then
# runs each workload RUNS times per SDK, alternating the two (and which goes first). Times are the
# workload's own timer (printed by each program; process start-up excluded); peak memory is the
# maximum resident set size of the whole process, measured the same external way for both
# (/usr/bin/time -f %M). The table shows medians; "speed ratio" is TS time / C++ time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
build_dir="${BUILD_DIR:-$root/build/bench}"
sdk_version="0.137.0"

die() {
  echo "compare_official_sdk: $*" >&2
  exit 1
}

for tool in node npm cmake; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed"
done

"$root/scripts/install-deps.sh" time libbenchmark-dev
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing"

if [ -z "${NO_BUILD:-}" ]; then
  echo "== building the benchmarks (Release) in $build_dir" >&2
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DANTHROPIC_BUILD_BENCHMARKS=ON \
    -DANTHROPIC_BUILD_TESTS=OFF -DANTHROPIC_BUILD_EXAMPLES=OFF -DANTHROPIC_BUILD_TOOLS=OFF >/dev/null
  cmake --build "$build_dir" --target anthropic-bench-server anthropic-bench-e2e \
    -j "$(nproc)" >/dev/null
fi
server_bin="$build_dir/bench/anthropic-bench-server"
cpp_bin="$build_dir/bench/anthropic-bench-e2e"
[ -x "$server_bin" ] && [ -x "$cpp_bin" ] || die "no benchmark programs in $build_dir"
grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build_dir/CMakeCache.txt" ||
  die "$build_dir is not a Release build"

work="$(mktemp -d -t anthropic-compare.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== npm install @anthropic-ai/sdk@$sdk_version into $work" >&2
if ! npm install --prefix "$work" --no-audit --no-fund --loglevel=error \
  "@anthropic-ai/sdk@$sdk_version" >"$work/npm.log" 2>&1; then
  cat "$work/npm.log" >&2
  die "npm install @anthropic-ai/sdk@$sdk_version failed (registry access?); see the log above"
fi
[ -f "$work/node_modules/@anthropic-ai/sdk/index.mjs" ] ||
  die "npm install did not produce node_modules/@anthropic-ai/sdk/index.mjs"

"$server_bin" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
base_url=""
for _ in $(seq 100); do
  base_url="$(sed -n 's/^listening on //p' "$work/server.out")"
  [ -n "$base_url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$base_url" ] || {
  cat "$work/server.err" >&2
  die "anthropic-bench-server did not start"
}
echo "== server at $base_url; $runs runs per SDK and workload" >&2

# run SDK WORKLOAD: appends "seconds peak_kb connections process_seconds" to $work/SDK-WORKLOAD.txt
run() {
  local sdk="$1" workload="$2" out="$work/out.json" timing="$work/time.txt"
  local cmd
  if [ "$sdk" = cpp ]; then
    cmd=("$cpp_bin" --base-url "$base_url" --workload "$workload")
  else
    # The official SDK has one way to create: create-streamed compares against its create.
    cmd=(node "$root/bench/official_sdk_e2e.mjs" --sdk-dir "$work" --base-url "$base_url"
      --workload "${workload%-streamed}")
  fi
  if ! /usr/bin/time -f '%M %e' -o "$timing" "${cmd[@]}" >"$out"; then
    die "$sdk $workload failed: ${cmd[*]}"
  fi
  local seconds connections
  seconds="$(sed -n 's/.*"seconds":\([0-9.e+-]*\).*/\1/p' "$out")"
  connections="$(sed -n 's/.*"connections":\([0-9-]*\).*/\1/p' "$out")"
  [ -n "$seconds" ] || die "$sdk $workload printed no result: $(cat "$out")"
  local peak_kb process_s
  read -r peak_kb process_s < <(tail -n 1 "$timing")
  echo "$seconds $peak_kb $connections $process_s" >>"$work/$sdk-$workload.txt"
  echo "   $sdk $workload: $(cat "$out")" >&2
}

# median FILE COLUMN
median() {
  awk -v c="$2" '{ print $c }' "$1" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

workloads=(create create-streamed results retrieve)
for workload in "${workloads[@]}"; do
  for ((r = 1; r <= runs; ++r)); do
    if ((r % 2)); then
      run cpp "$workload"
      run ts "$workload"
    else
      run ts "$workload"
      run cpp "$workload"
    fi
  done
done

label() {
  case "$1" in
    create) echo "create, 100,000 requests" ;;
    create-streamed) echo "create, 100,000 requests, cpp through BatchCreateBodyBuilder" ;;
    results) echo "results, 100,000 lines" ;;
    retrieve) echo "1,000 sequential retrieves" ;;
  esac
}

echo
echo "| workload | anthropic-cpp median s | official TS median s | speed ratio | cpp peak MB | TS peak MB | TCP connections (cpp / TS) | whole process s (cpp / TS) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for workload in "${workloads[@]}"; do
  cpp_s="$(median "$work/cpp-$workload.txt" 1)"
  ts_s="$(median "$work/ts-$workload.txt" 1)"
  cpp_kb="$(median "$work/cpp-$workload.txt" 2)"
  ts_kb="$(median "$work/ts-$workload.txt" 2)"
  cpp_c="$(median "$work/cpp-$workload.txt" 3)"
  ts_c="$(median "$work/ts-$workload.txt" 3)"
  cpp_p="$(median "$work/cpp-$workload.txt" 4)"
  ts_p="$(median "$work/ts-$workload.txt" 4)"
  awk -v w="$(label "$workload")" -v cs="$cpp_s" -v ts="$ts_s" -v ck="$cpp_kb" -v tk="$ts_kb" \
    -v cc="$cpp_c" -v tc="$ts_c" -v cp="$cpp_p" -v tp="$ts_p" 'BEGIN {
      printf "| %s | %.3f | %.3f | %.1fx | %.1f | %.1f | %d / %d | %.2f / %.2f |\n",
             w, cs, ts, ts / cs, ck / 1024, tk / 1024, cc, tc, cp, tp }'
done
echo
echo "$runs runs per SDK and workload, alternating; medians. Times: the workload's own timer;"
echo "whole process: wall time of the process, start-up included (/usr/bin/time %e). Peak MB: max"
echo "RSS of the process (/usr/bin/time %M, MiB). Connections: TCP connections the server saw."
