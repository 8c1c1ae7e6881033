#!/usr/bin/env python3
"""Turn JMH JSON results (-rf json) into the Markdown tables of bench/README.md, ratios computed from the
same run. Usage: python3 bench/jmh_table.py results.json [more.json ...]"""
import json
import sys
from collections import defaultdict


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows.extend(json.load(f))
    return rows


def fmt(v):
    return f"{v/1e6:.2f} M" if v >= 1e6 else f"{v/1e3:.1f} k" if v >= 1e3 else f"{v:.0f}"


def main():
    rows = load(sys.argv[1:])
    hot = defaultdict(dict)
    peers = defaultdict(dict)
    other = []
    for r in rows:
        name = r["benchmark"].split(".")[-2] + "." + r["benchmark"].split(".")[-1]
        p = r.get("params", {})
        score = r["primaryMetric"]["score"]
        err = r["primaryMetric"].get("scoreError", 0)
        if name.startswith("HotPathBenchmark"):
            hot[(p["cidr"], int(p["fill"]), p["op"])][p["impl"]] = score
        elif name.startswith("PeerBenchmark"):
            peers[(p["cidr"], int(p["fill"]))][p["impl"]] = score
        else:
            sec = r.get("secondaryMetrics", {})
            alloc = sec.get("gc.alloc.rate.norm", sec.get("·gc.alloc.rate.norm", {})).get("score")
            other.append((name, p, score, err, r["primaryMetric"]["scoreUnit"], alloc))
    if hot:
        print("| subnet | fill | op | ipam ops/s | BitSet ops/s | ipam / BitSet | Kubernetes-style ops/s | ipam / k8s "
              "| Neutron-style ops/s | ipam / Neutron |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for key in sorted(hot, key=lambda k: (k[0], k[2], k[1])):
            cidr, fill, op = key
            h = hot[key]
            i = h.get("ipam")
            b = h.get("bitset")
            pe = peers.get((cidr, fill), {}) if op == "any" else {}
            k = pe.get("kubernetes")
            n = pe.get("neutron")
            print(f"| {cidr} | {fill}% | {op} | {fmt(i) if i else '-'} | {fmt(b) if b else '-'} | "
                  f"{i/b:.2f}x | {fmt(k) if k else '-'} | {f'{i/k:.2f}x' if k else '-'} | "
                  f"{fmt(n) if n else '-'} | {f'{i/n:,.0f}x' if n else '-'} |" if i and b else "")
        print()
        print("Flatness (ipam, highest / lowest ops/s over 1%, 50%, 99% full):")
        print()
        print("| subnet | op | min ops/s | max ops/s | max / min |")
        print("|---|---|---|---|---|")
        groups = defaultdict(list)
        for (cidr, fill, op), h in hot.items():
            if "ipam" in h:
                groups[(cidr, op)].append(h["ipam"])
        for (cidr, op), v in sorted(groups.items()):
            print(f"| {cidr} | {op} | {fmt(min(v))} | {fmt(max(v))} | {max(v)/min(v):.2f}x |")
        print()
    if other:
        print("| benchmark | params | score | error | unit | alloc B/op |")
        print("|---|---|---|---|---|---|")
        for name, p, score, err, unit, alloc in other:
            params = ", ".join(f"{k}={v}" for k, v in p.items())
            a = f"{alloc:.1f}" if alloc is not None else "-"
            print(f"| {name} | {params} | {score:,.1f} | {err:,.1f} | {unit} | {a} |")


if __name__ == "__main__":
    main()
