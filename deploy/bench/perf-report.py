#!/usr/bin/env python3
"""Where a process group's CPU goes, from `perf script -F pid,tid,comm,ip,sym,dso` output of a system-wide
`perf record -g` (deploy/bench/profile-drop.sh writes both).

    deploy/bench/perf-report.py PERF_SCRIPT_TXT PID[,PID...] [TOP]

Prints, for the samples of those processes: the share of samples whose stack contains each managed method
(inclusive, the methods .NET's perf map names), and the share spent spinning in the thread pool's idle wait
(LowLevelLifoSemaphore → sched_yield) and in the kernel.
"""
import collections
import re
import sys


def stacks(path):
    current = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if current:
                yield current
            current = None
            continue
        if not line[0].isspace():
            m = re.match(r"(.*?)\s+(\d+)/(\d+)", line)
            current = (m.group(2), []) if m else None
            continue
        if current is not None:
            parts = line.strip().split(" ", 1)
            current[1].append(re.sub(r"\+0x[0-9a-f]+", "", parts[1] if len(parts) > 1 else ""))
    if current:
        yield current


def short(frame):
    frame = re.sub(r"\(/tmp/perf-\d+\.map\)", "", frame)
    frame = re.sub(r"\[(OptimizedTier1|InstrumentedTierOptimized|Optimized|Tier0|Tier1|InstrumentedTier|QuickJitted|OptimizedTier1OSR)\]", "", frame)
    return frame.strip()[-150:]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, pids = sys.argv[1], set(sys.argv[2].split(","))
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    selected = [frames for pid, frames in stacks(path) if pid in pids]
    n = len(selected)
    if n == 0:
        sys.exit("no samples of those processes")
    spinning = sum(1 for f in selected if any("__sched_yield" in x for x in f) and any("LowLevelLifoSemaphore" in x for x in f))
    kernel = sum(1 for f in selected if f and "kernel.kallsyms" in f[0])
    inclusive = collections.Counter()
    for frames in selected:
        for frame in {short(x) for x in frames if ".map" in x}:
            inclusive[frame] += 1
    print(f"{n} samples; thread-pool spin-wait (sched_yield under LowLevelLifoSemaphore) {100 * spinning / n:.1f}%; "
          f"in the kernel {100 * kernel / n:.1f}%")
    generic = ("ExecutionContext::Run", "StartCallback", "Dispatch()", "WorkerThreadStart", "ExecuteWithThreadLocal", "ThreadPoolDispatchLoop")
    shown = 0
    for frame, count in inclusive.most_common():
        if any(g in frame for g in generic) or frame.endswith("MoveNext()"):
            continue
        print(f"{100 * count / n:5.1f}% {frame}")
        shown += 1
        if shown >= top:
            break


if __name__ == "__main__":
    main()
