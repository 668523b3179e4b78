#!/usr/bin/env python3
"""Peak memory of `anthropic-batch run` against the input's size (issue 13: flat in the input).

Generates JSONL inputs of the given sizes, runs the whole job for each against the emulator
program, and prints the peak RSS of the job
beside the input size, with the ratio to the smallest run. A benchmark, not a test: run it on a
Release build (Debug works, slowly).

  bench/batch_job_memory.py BUILD_DIR [SIZE_MB ...]      (default sizes: 100 1000)
"""
import os
import subprocess
import sys
import tempfile
import time


def write_input(path, size_mb):
    target = size_mb * 1024 * 1024
    written = 0
    i = 0
    with open(path, "w") as f:
        while written < target:
            line = ('{"custom_id":"r-%d","params":{"model":"claude-test","max_tokens":8,'
                    '"messages":[{"role":"user","content":"question %d: %s"}]}}\n'
                    % (i, i, "x" * 40))
            f.write(line)
            written += len(line)
            i += 1
    return i


def run(build, size_mb, work):
    input_path = os.path.join(work, "in-%d.jsonl" % size_mb)
    requests = write_input(input_path, size_mb)
    emulator = subprocess.Popen(
        [os.path.join(build, "tools/emulator/anthropic-batch-emulator"), "--processing-ms", "200",
         "--keep-alive-s", "5"],
        stdout=subprocess.PIPE, text=True)
    url = emulator.stdout.readline().split()[-1]
    out = os.path.join(work, "out-%d.jsonl" % size_mb)
    env = dict(os.environ, ANTHROPIC_API_KEY="sk-ant-emulator", ANTHROPIC_BASE_URL=url)
    start = time.time()
    job = subprocess.Popen(
        [os.path.join(build, "tools/cli/anthropic-batch"), "run", input_path, "-o", out,
         "--state", out + ".state", "--poll-interval-ms", "200"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    summary = job.stdout.read()
    # wait4: the resource usage of this child alone (not the emulator's).
    _, status, usage = os.wait4(job.pid, 0)
    seconds = time.time() - start
    peak_kib = usage.ru_maxrss
    emulator.terminate()
    emulator.wait()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("run failed for %d MB: %s" % (size_mb, summary))
    lines = sum(1 for _ in open(out))
    if lines != requests:
        sys.exit("%d results for %d requests" % (lines, requests))
    return requests, peak_kib, seconds


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    sizes = [int(s) for s in sys.argv[2:]] or [100, 1000]
    with tempfile.TemporaryDirectory() as work:
        base = None
        print("%10s %10s %14s %8s %10s" % ("input MB", "requests", "peak RSS MiB", "ratio", "seconds"))
        for size in sorted(sizes):
            requests, peak_kib, seconds = run(build, size, work)
            base = base or peak_kib
            print("%10d %10d %14.1f %8.2f %10.1f" % (size, requests, peak_kib / 1024.0,
                                                     peak_kib / base, seconds), flush=True)


if __name__ == "__main__":
    main()
