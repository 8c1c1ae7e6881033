#!/usr/bin/env python3
"""Tables from the raw files of this folder: hot-times-raw.txt (HotTimes lines), jmh-*.json (JMH) and
bench-*/results.json (ipam bench). Usage: summarize.py hot FILE | jmh DIR | bench DIR"""
import glob
import json
import re
import statistics
import sys


def ratio_row(name, old, new, fmt="%.1f"):
    mo, mn = statistics.median(old), statistics.median(new)
    return "| %s | %d/%d | %s | %s | %.3f | %s | %s |" % (
        name, len(old), len(new), fmt % mo, fmt % mn, mn / mo, " ".join(fmt % v for v in old),
        " ".join(fmt % v for v in new))


def hot(path):
    runs, head = {}, None
    for line in open(path):
        if line.startswith("==="):
            head = re.match(r"=== pair (\d+) (old|new) loadavg (\S+)", line).groups()
        elif "cpu ns/op" in line:
            name = line.split(" cpu ns/op")[0].strip()
            med = float(re.search(r"cpu ns/op min +\S+ median +(\S+)", line).group(1))
            wall = float(re.search(r"wall ns/op min +\S+ median +(\S+)", line).group(1))
            b = float(re.search(r"bytes/op (\S+)", line).group(1))
            runs.setdefault(name, {"old": [], "new": []})[head[1]].append((med, wall, b, head[2]))
    print("| case | runs old/new | CPU ns/op old (median of runs) | new | new/old | old runs | new runs |"
          " new/old per pair |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        pairs = [n[0] / o[0] for o, n in zip(r["old"], r["new"])]
        print(ratio_row(name, [x[0] for x in r["old"]], [x[0] for x in r["new"]]) +
              " %s |" % " ".join("%.2f" % v for v in pairs))
    print()
    print("| case | wall ns/op old | new | new/old | bytes/op old | new | load (1 min) old runs | new runs |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        wo, wn = statistics.median(x[1] for x in r["old"]), statistics.median(x[1] for x in r["new"])
        print("| %s | %.1f | %.1f | %.3f | %.1f | %.1f | %s | %s |" % (
            name, wo, wn, wn / wo, statistics.median(x[2] for x in r["old"]),
            statistics.median(x[2] for x in r["new"]), " ".join(x[3] for x in r["old"]),
            " ".join(x[3] for x in r["new"])))


def jmh(directory):
    runs = {}
    for f in sorted(glob.glob(directory + "/jmh-*.json")):
        which = re.search(r"jmh-\d+-(old|new)\.json", f).group(1)
        for b in json.load(open(f)):
            p = b["params"]
            name = "%s fill=%s op=%s" % (p["cidr"], p["fill"], p["op"])
            alloc = b["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score", float("nan"))
            runs.setdefault(name, {"old": [], "new": []})[which].append((b["primaryMetric"]["score"] / 1e6, alloc))
    print("| case | runs old/new | M ops/s old (median) | new | new/old | old runs | new runs | B/op old | new |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        row = ratio_row(name, [x[0] for x in r["old"]], [x[0] for x in r["new"]], "%.2f")
        print(row + " %.3f | %.3f |" % (max(x[1] for x in r["old"]), max(x[1] for x in r["new"])))


def bench(directory):
    runs = {}
    for f in sorted(glob.glob(directory + "/bench-*-*/results.json")):
        which = re.search(r"bench-\d+-(old|new)/", f).group(1)
        data = json.load(open(f))
        for row in data.get("throughput", []):
            name = "%s callers=%s" % (row["target"], row["callers"])
            runs.setdefault(name, {"old": [], "new": []})[which].append(row["pairsPerSecond"] / 1e3)
        for row in data.get("latency", []):
            rate = "100,000/s" if "@ 100,000/s" in row["target"] else "half of one caller's median"
            name = "p50 us %s @ %s" % (re.sub(r" @ .*", "", row["target"]), rate)
            runs.setdefault(name, {"old": [], "new": []})[which].append(row["p50Ns"] / 1e3)
    print("| target | runs old/new | k pairs/s (or p50 us) old, median | new | new/old | old runs | new runs |")
    print("|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        if r["old"] and r["new"]:
            print(ratio_row(name, r["old"], r["new"], "%.1f" if name.startswith("p50") else "%.0f"))


{"hot": hot, "jmh": jmh, "bench": bench}[sys.argv[1]](sys.argv[2])
