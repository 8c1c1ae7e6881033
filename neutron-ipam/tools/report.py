"""Turns one run of tests/neutron_api (JUnit XML + concurrency JSON) into docs/neutron.md.

Everything in the document comes from the run: counts, the list of tests that pass with one driver and not the
other, what each one failed with, the concurrency figures. The only typed text is the explanation of each known
difference, read from known-differences.txt (``Suite.test_name: cause``); a difference without one is listed as
UNEXPLAINED and makes this script exit 1, as does a concurrency test that did not pass. The document's part after
the HAND_WRITTEN line (the driver's design, switching a deployment) is written by hand and kept as it is.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import sys
import xml.etree.ElementTree as ET

SUITES = [  # (Neutron's suite, class with the internal driver, class with ipam's)
    ("TestV2HTTPResponse", "TestInternalHTTPResponse", "TestIpamHTTPResponse"),
    ("TestPortsV2", "TestInternalPorts", "TestIpamPorts"),
    ("TestNetworksV2", "TestInternalNetworks", "TestIpamNetworks"),
    ("TestSubnetsV2", "TestInternalSubnets", "TestIpamSubnets"),
    ("TestSubnetPoolsV2", "TestInternalSubnetPool", "TestIpamSubnetPool"),
    ("TestMl2PortsV2", "TestInternalMl2Ports", "TestIpamMl2Ports"),
    ("TestMl2SubnetsV2", "TestInternalMl2Subnets", "TestIpamMl2Subnets"),
    ("TestMl2NetworksV2", "TestInternalMl2Networks", "TestIpamMl2Networks"),
    ("TestMl2SubnetPoolsV2", "TestInternalMl2SubnetPools", "TestIpamMl2SubnetPools"),
    ("L3NatDBIntTestCase", "TestInternalL3NatDBInt", "TestIpamL3NatDBInt"),
]
DRIVERS = ("internal", "ipam")
# everything from this line to the end of the document is written by hand and kept by every run
HAND_WRITTEN = "<!-- Written by hand from here on: tools/report.py keeps it as it is. -->"


def outcomes(junit: pathlib.Path):
    """{class name: {test name: (outcome, failure text)}} for every testcase in the file."""
    result = {}
    for case in ET.parse(junit).iter("testcase"):
        cls = case.get("classname", "").rsplit(".", 1)[-1]
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            outcome, text = "failed", (failure.get("message") or "") + "\n" + (failure.text or "")
        elif case.find("skipped") is not None:
            outcome, text = "skipped", ""
        else:
            outcome, text = "passed", ""
        result.setdefault(cls, {})[case.get("name")] = (outcome, text)
    return result


def observed(text: str) -> str:
    """The line of a failure that says what went wrong: Neutron's error body, else the last exception line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if '"NeutronError"' in line:
            m = re.search(r'"type": "([^"]+)", "message": "([^"]*)"', line)
            return f"{m.group(1)}: {m.group(2)}" if m else line
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Failure|Mismatch)\w*:", line) or line.startswith("AssertionError"):
            return line
    return lines[-1] if lines else ""


def known_causes(path: pathlib.Path):
    causes = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, cause = line.partition(":")
                causes[key.strip()] = cause.strip()
    return causes


def cell(text: str, limit: int = 300) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--junit", required=True, type=pathlib.Path, action="append",
                    help="a JUnit XML file of the run (repeat for a run made of several processes)")
    ap.add_argument("--results", required=True, type=pathlib.Path, help="folder of concurrency-*.json")
    ap.add_argument("--known", required=True, type=pathlib.Path)
    ap.add_argument("--out", type=pathlib.Path, help="the document to write (default: print only the summary)")
    ap.add_argument("--command", default="neutron-ipam/run-suites")
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--load", default="", help="load averages seen at start and end of the run")
    ap.add_argument("--commit", default="")
    ap.add_argument("--minutes", type=int, default=0, help="the suites were stopped after this many minutes")
    args = ap.parse_args(argv)

    metas = [json.loads(f.read_text()) for f in sorted(args.results.glob("suites-*.meta"))]
    if not args.minutes:  # a shard stopped early (run-suites --minutes) says so in its .meta
        args.minutes = max((m.get("minutes", 0) for m in metas), default=0)
    runs = {}
    for junit in args.junit:
        for cls, cases in outcomes(junit).items():
            runs.setdefault(cls, {}).update(cases)
    causes = known_causes(args.known)
    problems = []
    rows, diffs = [], []
    totals = {d: {"passed": 0, "failed": 0, "skipped": 0} for d in DRIVERS}
    both_internal_pass, ipam_also = 0, 0
    one_driver_only = 0
    for suite, internal_cls, ipam_cls in SUITES:
        by_driver = {"internal": runs.get(internal_cls, {}), "ipam": runs.get(ipam_cls, {})}
        if not by_driver["internal"] and not by_driver["ipam"]:
            continue
        counts = {d: {"passed": 0, "failed": 0, "skipped": 0} for d in DRIVERS}
        for d in DRIVERS:
            for outcome, _ in by_driver[d].values():
                counts[d][outcome] += 1
                totals[d][outcome] += 1
        names = sorted(set(by_driver["internal"]) | set(by_driver["ipam"]))
        for name in names:
            a = by_driver["internal"].get(name, ("missing", ""))
            b = by_driver["ipam"].get(name, ("missing", ""))
            if "missing" in (a[0], b[0]):
                one_driver_only += 1  # a run stopped early (--minutes): compared only where both ran
                continue
            if a[0] == "passed":
                both_internal_pass += 1
                ipam_also += b[0] == "passed"
            if (a[0] == "passed") != (b[0] == "passed"):
                key = f"{suite}.{name}"
                cause = causes.get(key)
                if cause is None:
                    problems.append(f"unexplained difference: {key}")
                failing_text = b[1] if a[0] == "passed" else a[1]
                diffs.append((key, a[0], b[0], observed(failing_text), cause or "UNEXPLAINED"))
        rows.append((suite, len(names), counts))

    conc = {}
    for d in DRIVERS:
        f = args.results / f"concurrency-{d}.json"
        if f.exists():
            conc[d] = json.loads(f.read_text())
    case = runs.get("TestConcurrentPorts", {}).get("test_concurrent_port_creation")
    if case is not None and case[0] != "passed":
        problems.append(f"the concurrency comparison failed: {observed(case[1])}")

    # the driver's own tests in the run (rollback scenarios, fault injection): every one must pass
    suite_classes = {c for _, a, b in SUITES for c in (a, b)}
    for cls, cases in sorted(runs.items()):
        if cls in suite_classes or cls.startswith("TestConcurrentPorts"):
            continue
        for name, (outcome, text) in sorted(cases.items()):
            if outcome == "failed":
                problems.append(f"{cls}.{name} failed: {observed(text)}")

    pct = 100.0 * ipam_also / both_internal_pass if both_internal_pass else 0.0
    summary = (f"internal driver: {totals['internal']['passed']} passed, {totals['internal']['failed']} failed, "
               f"{totals['internal']['skipped']} skipped; ipam driver: {totals['ipam']['passed']} passed, "
               f"{totals['ipam']['failed']} failed, {totals['ipam']['skipped']} skipped; "
               f"{ipam_also} of the {both_internal_pass} tests that pass with the internal driver pass with ipam's "
               f"({pct:.2f}%); {len(diffs)} differences"
               + (f"; {one_driver_only} tests ran with one driver only (stopped after {args.minutes} minutes)"
                  if one_driver_only else ""))
    print(summary)
    for key, a, b, obs, cause in diffs:
        print(f"  {key}: internal {a}, ipam {b}: {obs[:160]}")
    for d, r in conc.items():
        print(f"  concurrency {d}: {json.dumps({k: v for k, v in r.items() if k != 'errors'})}")
    for p in problems:
        print("report: " + p, file=sys.stderr)

    if args.out:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        import neutron  # noqa: the version under test
        from importlib import metadata
        out = [
            "# Neutron's API suites and concurrent port creation: ipam's driver beside Neutron's internal one",
            "",
            f"Generated by `neutron-ipam/tools/report.py` from one run of `{args.command}` on {now}"
            + (f" (commit {args.commit})" if args.commit else "") + ": nothing below is typed by hand except "
            "the causes, which come from `neutron-ipam/known-differences.txt`.",
            f"Neutron {metadata.version('neutron')}, neutron-lib {metadata.version('neutron-lib')}, "
            f"Python {platform.python_version()}, {os.cpu_count()} cores"
            + (f"; whole run {args.seconds:.0f} s" if args.seconds else "")
            + (f"; load average (1 min) at start and end: {args.load}" if args.load else "") + ".",
            "",
            "Both drivers run in one pytest process against one real `ipam serve --memory` started by the "
            "fixture: the API suites with the internal driver through Neutron's own classes of "
            "`neutron/tests/unit/db/test_ipam_pluggable_backend.py` (`UseIpamMixin`), with ipam's through the "
            "same suites of `neutron.tests.common.test_db_base_plugin_v2` with `ipam_driver = ipam`; the ML2 "
            "plugin suites (`neutron/tests/unit/plugins/ml2/test_plugin.py`: `TestMl2PortsV2`, "
            "`TestMl2SubnetsV2`, `TestMl2NetworksV2`, and Neutron's `TestSubnetPoolsV2` on ML2) and the L3 suite "
            "(`neutron/tests/unit/extensions/test_l3.py`: `L3NatDBIntTestCase`) with `ipam_driver = internal` "
            "and `ipam` (`tests/neutron_api/test_ml2_l3_suites.py`). The driver's own rollback scenarios "
            "(`tests/neutron_api/test_rollback.py`) run too; any failure of theirs is listed below as a "
            "problem.",
            "",
            "## Pass counts",
            "",
            "| suite | tests | internal: passed / failed / skipped | ipam: passed / failed / skipped |",
            "|---|---|---|---|",
        ]
        for suite, n, counts in rows:
            c = counts
            out.append(f"| {suite} | {n} | {c['internal']['passed']} / {c['internal']['failed']} / "
                       f"{c['internal']['skipped']} | {c['ipam']['passed']} / {c['ipam']['failed']} / "
                       f"{c['ipam']['skipped']} |")
        t = totals
        out.append(f"| **all** | {sum(r[1] for r in rows)} | {t['internal']['passed']} / {t['internal']['failed']}"
                   f" / {t['internal']['skipped']} | {t['ipam']['passed']} / {t['ipam']['failed']} / "
                   f"{t['ipam']['skipped']} |")
        out += ["", f"Of the {both_internal_pass} tests that pass with the internal driver, {ipam_also} pass with "
                    f"ipam's: **{pct:.2f}%** (target: at least 99.5%).", ""]
        if args.minutes:
            out += [f"This run was stopped after {args.minutes} minutes (`run-suites --minutes {args.minutes}`: the "
                    "machine was too loaded for all of it). Each test ran with the internal driver and then with "
                    f"ipam's before the next, so the counts above are whole pairs; {one_driver_only} tests had run "
                    "with one driver only and are left out; the suites' tests that did not run at all are not "
                    "in the table.", ""]
        if metas:
            out += ["## Shards of this run", "",
                    "Each shard is one suite with both drivers (`run-suites --only SHARD`) in its own pytest process "
                    "with its own `ipam serve`; load: 1-minute load average at its start and end (2 cores; above 2 "
                    "the machine was shared), nice: the niceness it ran at.", "",
                    "| shard | commit | started (UTC) | seconds | load | nice | stopped after |", "|---|---|---|---|---|---|---|"]
            for m in metas:
                out.append(f"| {m['shard']} | {m['commit']} | {m['started']} | {m['seconds']} | {m['load']} | "
                           f"{m['nice']} | {str(m['minutes']) + ' min' if m.get('minutes') else '-'} |")
            out.append("")
        out += ["## Tests that pass with one driver and not the other", ""]
        if diffs:
            out += ["| test | internal | ipam | what the failing run raised | cause |", "|---|---|---|---|---|"]
            for key, a, b, obs, cause in diffs:
                out.append(f"| `{key}` | {a} | {b} | {cell(obs)} | {cell(cause, 600)} |")
        else:
            out.append("None.")
        out += ["", "## Concurrent port creation", ""]
        if conc:
            any_r = next(iter(conc.values()))
            out += [f"{any_r['threads']} threads each create {any_r['ports_per_thread']} ports on one /22 subnet, "
                    f"{any_r.get('rounds', 1)} rounds per driver, the drivers alternating in one harness "
                    f"({', '.join(any_r.get('order', []))}), each round on a subnet of its own, "
                    "through Neutron's API router and the ML2 plugin in the unit-test harness "
                    "(`tests/neutron_api/test_concurrency.py`"
                    "; its module doc says why the database is a SQLite file in WAL mode and how retries are "
                    "counted). Duplicates: two ports with one address. DB retries: Neutron's retry decorators "
                    "restarting a request; address conflicts: inserts refused by the unique key of the internal "
                    "driver's `ipamallocations` table (its check-then-insert race); locked: lost SQLite write races "
                    "(any transaction, either driver). SQLite lets one writer commit at a time, so the internal "
                    "driver's race shows here as a lost write race, not as an address conflict (on MySQL/Galera it is a "
                    "duplicate-key retry); the port rate is Neutron's API and database work, the same for both "
                    "drivers, more than the IPAM driver's.", "",
                    "| driver | ports created | failed | duplicates | DB retries | address conflicts | "
                    "DB refusals by kind | seconds | ports/s | ports/s by round | load avg (1 min) by round |",
                    "|---|---|---|---|---|---|---|---|---|---|---|"]
            for d in DRIVERS:
                if d in conc:
                    r = conc[d]
                    loaded = " (loaded)" if r.get("loadavg_1m", 0) > (os.cpu_count() or 1) else ""
                    out.append(f"| {d} | {r['created']} of {r['requested']} | {r['failed']} | {r['duplicates']} | "
                               f"{r['db_retries']} | {r['address_conflicts']} | "
                               f"{cell(json.dumps(r['db_errors']))} | {r['seconds']} | {r['ports_per_second']}{loaded}"
                               f" | {r.get('ports_per_second_by_round', '')} | "
                               f"{r.get('loadavg_1m_by_round', r.get('loadavg_1m'))} |")
            if all(d in conc and conc[d].get("ports_per_second") for d in DRIVERS):
                ratio = conc["ipam"]["ports_per_second"] / conc["internal"]["ports_per_second"]
                pairs = conc["ipam"].get("ratio_by_pair")
                if pairs:
                    med = conc["ipam"]["median_ratio"]
                    out += ["", f"ipam's ports per second over the internal driver's, for each pair of back-to-back "
                                f"rounds: {', '.join(f'{p:.0%}' for p in pairs)}; **median {med:.0%}** (target: "
                                f"at least 90%). Over all rounds: {ratio:.0%}."]
                else:
                    out += ["", f"ipam's driver created {ratio:.0%} as many ports per second as the internal driver "
                                "in the same run (target: at least 90%)."]
        else:
            out.append("Not run.")
        if problems:
            out += ["", "## Problems in this run", ""] + [f"- {p}" for p in problems]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        kept = ""
        if args.out.exists():  # the hand-written part (design, migration) is kept as it is
            old = args.out.read_text()
            at = old.find(HAND_WRITTEN)
            if at >= 0:
                kept = "\n" + old[at:]
        args.out.write_text("\n".join(out) + "\n" + kept)
        print(f"report: wrote {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
