"""Converts a cProfile/pstats dump to JSON for perf-hunter's profile report.

Usage: python3 pstats-to-json.py STATS_FILE OUT_JSON
Writes {"functions": [...], "stdlib": [...]} where each function has file, line, name,
calls (total), primitiveCalls, selfSeconds (tt), totalSeconds (ct) and callers as
[index, calls, selfSeconds, totalSeconds] (the time of this function when called from there).
Standard library only, so it runs wherever the profiled python3 runs.
"""
import json
import os
import pstats
import sys
import sysconfig


def main(stats_file: str, out_file: str) -> None:
    stats = pstats.Stats(stats_file).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    keys = list(stats.keys())
    index = {key: i for i, key in enumerate(keys)}
    functions = []
    for key in keys:
        cc, nc, tt, ct, callers = stats[key]
        functions.append({
            "file": key[0],
            "line": key[1],
            "name": key[2],
            "calls": nc,
            "primitiveCalls": cc,
            "selfSeconds": tt,
            "totalSeconds": ct,
            "callers": [
                [index[caller], edge[1], edge[2], edge[3]]
                for caller, edge in callers.items()
                if caller in index
            ],
        })
    paths = sysconfig.get_paths()
    stdlib = sorted({os.path.realpath(p) for p in (paths.get("stdlib"), paths.get("platstdlib")) if p})
    temp = out_file + ".tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump({"functions": functions, "stdlib": stdlib}, handle)
    os.replace(temp, out_file)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: pstats-to-json.py STATS_FILE OUT_JSON\n")
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
