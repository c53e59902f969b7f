#!/usr/bin/env bash
# around.sh CORPUS_DIR SHORT_BINARY [W] [RUNS]
#
# What --around costs on the corpora of gen-corpora.sh, with a pattern that
# matches about one line in ten of each (the one line of oneline.txt has
# matches early on). Per core: user+system CPU seconds of
# `short -w W --around PATTERN FILE` and of `short -w W FILE`, pinned to
# processor 0, run in turn, median of RUNS (default 5); both as MB/s of
# input, and their ratio.
set -euo pipefail
dir=${1:?usage: around.sh CORPUS_DIR SHORT_BINARY [W] [RUNS]}
bin=${2:?usage: around.sh CORPUS_DIR SHORT_BINARY [W] [RUNS]}
W=${3:-80}
runs=${4:-5}
command -v taskset >/dev/null || { echo "needs taskset (util-linux)" >&2; exit 1; }
LC_ALL=C.UTF-8 python3 - "$dir" "$bin" "$W" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys
d, short, W, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
patterns = {
    "logs": "DELETE",
    "long": '"id":99[0-4]',
    "cjk": "プ|ユ",
    "ansi": "qls",
    "tabs": "2026-10-[01]",
    "oneline": "dteijvvz",
}
def cpu(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(f"{'corpus':8} {'pattern':14} {'matched':>8} {'cut MB/s':>9} {'around MB/s':>12} {'ratio':>6}")
for c, pattern in patterns.items():
    f = os.path.join(d, c + ".txt")
    if not os.path.exists(f):
        continue
    mb = os.path.getsize(f) / 1e6
    lines = subprocess.run(["grep", "-c", ""], stdin=open(f, "rb"), capture_output=True).stdout
    matched = subprocess.run(["grep", "-cE", pattern], stdin=open(f, "rb"), capture_output=True).stdout
    share = int(matched) / max(int(lines), 1)
    plain = [short, "-w", W, "-e", f]
    around = [short, "-w", W, "--around", pattern, f]
    cpu(plain); cpu(around)
    times = [(cpu(plain), cpu(around)) for _ in range(runs)]
    cut_s = statistics.median(t[0] for t in times)
    around_s = statistics.median(t[1] for t in times)
    ratio = statistics.median(t[1] / max(t[0], 1e-3) for t in times)
    print(f"{c:8} {pattern:14} {share:8.1%} {mb / cut_s:9.0f} {mb / around_s:12.0f} {ratio:6.2f}")
PY
