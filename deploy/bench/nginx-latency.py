#!/usr/bin/env python3
"""The purchases' latency as nginx measured it: p50 and p99 of `rt=` (request time) of every POST .../purchases in
nginx's access log from line FROM on (1-based), as "p50 X ms, p99 Y ms (N purchases)".

    deploy/bench/nginx-latency.py ACCESS_LOG [FROM]

The load tool measures from the client, on the same cores as the system: under load its own waiting for CPU is in
its figures. nginx's are the service's own, from the first byte nginx read to the last it wrote.
"""
import re
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    first = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    times = []
    with open(sys.argv[1], errors="replace") as log:
        for number, line in enumerate(log, 1):
            if number < first or "/purchases " not in line or '"POST ' not in line:
                continue
            found = re.search(r" rt=([0-9.]+)", line)
            if found:
                times.append(float(found.group(1)) * 1000)
    if not times:
        sys.exit("no purchases in the log from that line")
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(len(times) * q))]
    print(f"p50 {pick(0.50):.1f} ms, p99 {pick(0.99):.1f} ms ({len(times)} purchases)")


if __name__ == "__main__":
    main()
