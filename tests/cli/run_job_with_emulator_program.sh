#!/usr/bin/env bash
# `anthropic-batch run` against the real anthropic-batch-emulator program (two programs, as users
# run them): a job of 2,500 requests in 3 batches, killed with SIGKILL right after its second
# create was answered (the one window the journal cannot close), then resumed with the same
# command. Asserts that the emulator holds exactly 3 batches and that the output has every
# custom_id exactly once. The ctest run_job_with_emulator_program.
#
#   tests/cli/run_job_with_emulator_program.sh ANTHROPIC_BATCH EMULATOR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 ANTHROPIC_BATCH EMULATOR" >&2; exit 2; }
cli="$1"
emulator="$2"
work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "run_job_with_emulator_program: $*" >&2; exit 1; }

"$emulator" --port 0 --processing-ms 300 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/emulator.out" 2>/dev/null && break
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$work/emulator.out")"
[ -n "$url" ] || fail "the emulator did not start: $(cat "$work/emulator.err")"
export ANTHROPIC_BASE_URL="$url" ANTHROPIC_API_KEY=sk-ant-emulator

for i in $(seq 0 2499); do
  printf '{"custom_id":"job-%d","params":{"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"q%d"}]}}\n' "$i" "$i"
done >"$work/in.jsonl"
run=("$cli" run "$work/in.jsonl" -o "$work/out.jsonl" --state "$work/state"
     --max-requests-per-batch 1000 --poll-interval-ms 100)

status=0
ANTHROPIC_BATCH_TEST_KILL_AT=sent:2 "${run[@]}" >"$work/first.out" 2>"$work/first.err" || status=$?
[ "$status" -eq 137 ] || fail "the first run was not killed (exit $status): $(cat "$work/first.err")"
"${run[@]}" >"$work/second.out" 2>"$work/second.err" ||
  fail "the resumed run failed: $(cat "$work/second.err")"
grep -q "^adopted msgbatch_" "$work/second.err" || fail "the lost create was not adopted: $(cat "$work/second.err")"
grep -q "^2500 requests: 2500 succeeded" "$work/second.out" || fail "summary: $(cat "$work/second.out")"

batches="$("$cli" --json list --all | wc -l)"
[ "$batches" -eq 3 ] || fail "the emulator holds $batches batches, not 3"
lines="$(wc -l <"$work/out.jsonl")"
unique="$(sed 's/^{"custom_id":"\([^"]*\)".*/\1/' "$work/out.jsonl" | sort -u | wc -l)"
[ "$lines" -eq 2500 ] && [ "$unique" -eq 2500 ] ||
  fail "the output has $lines lines and $unique distinct custom ids, not 2500"
echo "run_job_with_emulator_program: 3 batches, 2500 results, each custom_id once"
