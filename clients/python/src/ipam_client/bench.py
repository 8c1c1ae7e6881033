"""``python -m ipam_client.bench HOST:PORT``: the Python client's speed against a running ``ipam serve``.

Closed loop, allocate+release pairs in a fresh subnet (deleted at the end), reported as pairs per second with
the p50/p99 of one pair (unary) or of one round of B pairs (batch):

- ``sync``: :class:`ipam_client.Client`, N threads sharing one channel (what a Neutron server process does:
  one channel per process, one blocking call per API worker);
- ``aio``: :class:`ipam_client.aio.AsyncClient`, N tasks on one event loop sharing one channel;
- ``neutron`` patterns add a request key to every allocation, as the Neutron driver does;
- ``batch``: one Batch of B allocations, then one Batch releasing them (sync and aio; one client only, since
  one batch already keeps the writer busy).

With ``--java`` the Java client's figures (``./ipam bench --server``) are printed beside, from the same target.
The token comes from ``--token-file`` or ``IPAM_TOKEN`` (never the command line).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, List, Optional

from ipam.v1 import ipam_pb2 as pb

from ipam_client import Client, IpamError
from ipam_client.aio import AsyncClient

MODES = ("sync", "aio", "sync-neutron", "aio-neutron", "sync-batch", "aio-batch")


@dataclass
class Result:
    mode: str
    clients: int
    batch: int
    pairs_per_second: float
    p50_us: float
    p99_us: float
    errors: int
    pairs: int = 0
    first_error: str = ""
    latencies: List[float] = field(default_factory=list, repr=False)


def percentile(sorted_values: List[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, int(p / 100 * len(sorted_values) + 0.999999) - 1))
    return sorted_values[k]


def _owner(i: int) -> str:
    return str(uuid.UUID(int=(0xbe << 64) | (i + 1)))


def _key() -> str:
    return "bench:" + uuid.uuid4().hex


def _release_ops(subnet: str, results) -> List[pb.BatchOp]:
    return [pb.BatchOp(release=pb.ReleaseRequest(subnet_id=subnet, address=r.allocated.addresses[0]))
            for r in results if r.HasField("allocated")]


def _batch_done(allocated, released) -> tuple:
    """(pairs done, errors) of one batch round."""
    ok = sum(1 for r in released if r.HasField("released") and r.released.released)
    errors = sum(1 for r in allocated if not r.HasField("allocated")) + (len(released) - ok)
    return ok, errors


def _summary(mode: str, n: int, batch: int, pairs: int, errors: int, first: str, lat: List[float],
             seconds: float) -> Result:
    lat.sort()
    return Result(mode, n, batch, pairs / seconds, percentile(lat, 50) * 1e6, percentile(lat, 99) * 1e6, errors,
                  pairs, first, lat)


def run_sync(client: Client, subnet: str, mode: str, n: int, batch: int, seconds: float) -> Result:
    """n threads on one channel, closed loop, for seconds."""
    stop = threading.Event()
    start = threading.Barrier(n + 1)
    lock = threading.Lock()
    totals = {"pairs": 0, "errors": 0, "first": ""}
    lat: List[float] = []

    def loop(i: int) -> None:
        owner, mine, errs, first, times = _owner(i), 0, 0, "", []
        allocate_ops = [pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=subnet, owner=owner))] * max(batch, 1)
        start.wait()
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                if batch:
                    got = client.batch(allocate_ops)
                    done, bad = _batch_done(got, client.batch(_release_ops(subnet, got)))
                    mine += done
                    errs += bad
                else:
                    a = client.allocate(subnet, owner, request_key=_key() if mode.endswith("neutron") else "")
                    if client.release(subnet, a):
                        mine += 1
                    else:
                        errs += 1
            except IpamError as e:
                errs += 1
                first = first or str(e)
                time.sleep(0.001)
            times.append(time.perf_counter() - t0)
        with lock:
            totals["pairs"] += mine
            totals["errors"] += errs
            totals["first"] = totals["first"] or first
            lat.extend(times)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    window = time.perf_counter() - t0
    for t in threads:
        t.join(60)
    return _summary(mode, n, batch, totals["pairs"], totals["errors"], totals["first"], lat, window)


async def run_aio(client: AsyncClient, subnet: str, mode: str, n: int, batch: int, seconds: float) -> Result:
    """n tasks on one channel and one event loop, closed loop, for seconds."""
    stop = asyncio.Event()
    totals = {"pairs": 0, "errors": 0, "first": ""}
    lat: List[float] = []

    async def loop(i: int) -> None:
        owner = _owner(i)
        allocate_ops = [pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=subnet, owner=owner))] * max(batch, 1)
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                if batch:
                    got = await client.batch(allocate_ops)
                    done, bad = _batch_done(got, await client.batch(_release_ops(subnet, got)))
                    totals["pairs"] += done
                    totals["errors"] += bad
                else:
                    a = await client.allocate(subnet, owner,
                                              request_key=_key() if mode.endswith("neutron") else "")
                    if await client.release(subnet, a):
                        totals["pairs"] += 1
                    else:
                        totals["errors"] += 1
            except IpamError as e:
                totals["errors"] += 1
                totals["first"] = totals["first"] or str(e)
                await asyncio.sleep(0.001)
            lat.append(time.perf_counter() - t0)

    tasks = [asyncio.ensure_future(loop(i)) for i in range(n)]
    t0 = time.perf_counter()
    await asyncio.sleep(seconds)
    stop.set()
    window = time.perf_counter() - t0
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return _summary(mode, n, batch, totals["pairs"], totals["errors"], totals["first"], lat, window)


def measure(target: str, token: Optional[str], modes: List[str], counts: List[int], batch: int, seconds: float,
            warmup: float, trials: int, out: Callable[[str], None]) -> List[Result]:
    """Every mode at every client count, trials alternating modes; the median trial of each is returned."""
    subnet = "pybench-" + uuid.uuid4().hex[:8]
    medians: List[Result] = []
    with Client(target, token=token) as sync:
        sync.create_subnet(subnet, "10.254.0.0/16")
        try:
            for n in counts:
                runs = {m: [] for m in modes}
                for trial in range(trials):
                    for j in range(len(modes)):
                        mode = modes[(j + trial) % len(modes)]
                        b = batch if mode.endswith("batch") else 0
                        if n > 1 and b:
                            continue  # batches: one client is the point (a batch already fills the writer)
                        for d, keep in ((warmup, False), (seconds, True)):
                            if d <= 0:
                                continue
                            if mode.startswith("aio"):
                                r = asyncio.run(_aio(target, token, subnet, mode, n, b, d))
                            else:
                                r = run_sync(sync, subnet, mode, n, b, d)
                            if keep:
                                runs[mode].append(r)
                                out(f"  trial {trial} {mode:<12} clients={n:<3} {r.pairs_per_second:12.0f} pairs/s  "
                                    f"p50 {r.p50_us:9.0f} us  p99 {r.p99_us:9.0f} us  errors {r.errors}")
                for mode in modes:
                    if runs[mode]:
                        rs = sorted(runs[mode], key=lambda x: x.pairs_per_second)
                        medians.append(rs[len(rs) // 2])
        finally:
            sync.delete_subnet(subnet, force=True)
    return medians


async def _aio(target, token, subnet, mode, n, batch, seconds) -> Result:
    async with AsyncClient(target, token=token) as c:
        return await run_aio(c, subnet, mode, n, batch, seconds)


def table(results: List[Result]) -> str:
    lines = ["| client | mode | clients | pairs/s | p50 us | p99 us |", "|---|---|---:|---:|---:|---:|"]
    for r in results:
        mode = f"batch of {r.batch}" if r.batch else ("unary, a request key each" if "neutron" in r.mode else "unary")
        lines.append(f"| python {r.mode.split('-')[0]} | {mode} | {r.clients} | {r.pairs_per_second:.0f} | "
                     f"{r.p50_us:.0f} | {r.p99_us:.0f} |")
    by = {(r.mode, r.clients): r for r in results}
    ratios = []
    for (mode, n), r in sorted(by.items()):
        if mode.startswith("aio"):
            s = by.get(("sync" + mode[3:], n))
            if s and s.pairs_per_second > 0:
                ratios.append(f"| {mode[4:] or 'unary'} | {n} | {r.pairs_per_second / s.pairs_per_second:.2f}x |")
    if ratios:
        lines += ["", "| aio / sync | clients | pairs/s ratio |", "|---|---:|---:|"] + ratios
    return "\n".join(lines)


def java(target: str, counts: List[int], batch: int, seconds: float, token: Optional[str],
         out: Callable[[str], None]) -> int:
    """The Java client's figures from ``./ipam bench --server`` on the same target."""
    launcher = os.environ.get("IPAM_LAUNCHER", str(pathlib.Path(__file__).resolve().parents[4] / "ipam"))
    env = dict(os.environ)
    if token:
        env["IPAM_TOKEN"] = token
    cmd = [launcher, "bench", "--server", target, "--clients", ",".join(map(str, counts)), "--seconds",
           str(max(1, round(seconds))), "--batch", str(batch or 1000)]
    out("java client: " + " ".join(cmd))
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout.splitlines():
        out("  " + line)
    return p.returncode


def _load() -> str:
    try:
        return " ".join(pathlib.Path("/proc/loadavg").read_text().split(" ")[:3])
    except OSError:
        return "unknown"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ipam_client.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("target", help="HOST:PORT of ipam serve (plaintext)")
    ap.add_argument("--token-file", help="file holding the bearer token (default: the IPAM_TOKEN variable)")
    ap.add_argument("--clients", default="1,4,16", help="client counts (threads or tasks), default 1,4,16")
    ap.add_argument("--modes", default=",".join(MODES), help=f"default {','.join(MODES)}")
    ap.add_argument("--batch", type=int, default=1000, help="allocations per Batch (default 1000)")
    ap.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement (default 3)")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up before each (default 1)")
    ap.add_argument("--trials", type=int, default=3, help="trials, alternating modes; the median is shown")
    ap.add_argument("--java", action="store_true", help="also run the Java client (./ipam bench --server)")
    a = ap.parse_args(argv)
    try:
        counts = [int(x) for x in a.clients.split(",")]
        modes = [m for m in a.modes.split(",") if m]
        if any(c < 1 or c > 1024 for c in counts) or any(m not in MODES for m in modes) or a.trials < 1 \
                or a.seconds <= 0 or a.warmup < 0 or not 1 <= a.batch <= 100_000:
            raise ValueError
    except ValueError:
        print(f"bench: bad arguments (clients 1-1024, modes among {','.join(MODES)}, batch 1-100000)",
              file=sys.stderr)
        return 2
    token = os.environ.get("IPAM_TOKEN") or None
    if a.token_file:
        token = pathlib.Path(a.token_file).read_text().strip()
    print(f"python client: {a.target}, load average {_load()}", flush=True)
    try:
        results = measure(a.target, token, modes, counts, a.batch, a.seconds, a.warmup, a.trials,
                          lambda s: print(s, flush=True))
    except IpamError as e:
        print(f"bench: {a.target}: {e}", file=sys.stderr)
        return 1
    print(f"\nmedian of {a.trials} trials of {a.seconds:.1f} s, one channel per process:\n")
    print(table(results))
    rc = 0
    if a.java:
        print()
        rc = java(a.target, counts, a.batch, a.seconds, token, lambda s: print(s, flush=True))
    return 1 if rc or any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
