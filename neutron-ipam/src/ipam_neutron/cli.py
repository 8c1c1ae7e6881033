"""``ipam neutron ...`` (the ``ipam`` launcher runs ``python -m ipam_neutron.cli``; also the ``ipam-neutron`` script).

  import --db URL            build ipam from a Neutron database (idempotent; a per-subnet count check after)
  sync --db URL [--apply]    ipam made to hold exactly Neutron's ipallocations, per subnet (ReconcileSubnet); a dry
                             run by default; safe while Neutron serves (ipam_neutron.sync)
  restore-internal --db URL  rebuild the internal driver's tables from Neutron's API tables (going back)

The server and token come from ``--server`` / ``--token-file`` / ``--tls-ca-file``, else from the ``[ipam]`` section
of ``--config-file`` (neutron.conf, as the driver reads it), else ``127.0.0.1:7600`` and ``$IPAM_TOKEN``. ``--db``
may be left out when the config file has ``[database] connection``. Exit 0: done and every check held; 1: done,
and a check failed (listed; for sync: differences found by a dry run, or left by a repair); 2: bad arguments, or the
database or the server could not be reached.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import sys
from typing import List, Optional

from ipam_neutron import servers

USAGE_EXIT = 2


class UsageError(Exception):
    pass


def _conf_file(paths: List[str]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f, source=path)
        except (OSError, configparser.Error) as e:
            raise UsageError(f"--config-file {path}: {e}") from None
    return parser


def _read_secret(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            value = f.read().strip()
    except OSError as e:
        raise UsageError(f"{what} {path}: {e}") from None
    if not value:
        raise UsageError(f"{what} {path} is empty")
    return value


def _connect(args, conf: configparser.ConfigParser):
    from ipam_client import Client

    server = args.server or conf.get("ipam", "server", fallback="127.0.0.1:7600")
    try:
        servers.validate_server(server)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.token_file:
        token = _read_secret(args.token_file, "--token-file")
    else:
        token = conf.get("ipam", "token", fallback=None) or os.environ.get("IPAM_TOKEN")
    ca = args.tls_ca_file or conf.get("ipam", "tls_ca_file", fallback=None)
    roots = None
    if ca:
        try:
            with open(ca, "rb") as f:
                roots = f.read()
        except OSError as e:
            raise UsageError(f"tls_ca_file {ca}: {e}") from None
    return Client(server, token=token, root_certificates=roots, timeout=args.timeout)


def _engine(args, conf: configparser.ConfigParser):
    import sqlalchemy as sa

    url = args.db or conf.get("database", "connection", fallback=None)
    if not url:
        raise UsageError("--db URL is required (or a --config-file with [database] connection)")
    try:
        return sa.create_engine(url)
    except Exception as e:  # a URL SQLAlchemy cannot use: no stack trace
        raise UsageError(f"--db: {e}") from None


def _print_import(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=1))
        return
    print(f"subnets: {report['subnets']} ({report['created']} created, {report['present']} already in ipam, "
          f"{report['refused']} refused or different)")
    print(f"allocations: {report['allocations']} of {report['ports']} ports; subnet pools read: "
          f"{report['subnetpools']}")
    print(f"changes made in ipam: {report['changes']}; {report['seconds']} s")
    for w in report["pool_warnings"]:
        print(f"warning: {w}")
    for m in report["mismatched"]:
        print(f"MISMATCH subnet {m['subnet']} ({m['cidr']}): {m['state']} {m['reason']} neutron={m['neutron']} "
              f"ipam={m['ipam']}")
        for p in m["problems"]:
            print(f"  {p}")
    print("check: every subnet holds exactly Neutron's allocations" if report["ok"]
          else f"check FAILED for {len(report['mismatched'])} subnets")


def _print_sync(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=1))
        return
    verb = "" if report["applied"] else "would be "
    for d in report["differences"]:
        print(f"subnet {d['subnet']} ({d['cidr']}):" + (f" ERROR {d['error']}" if d["error"] else ""))
        for kind, what in (("released", "held in ipam, no Neutron row: " + verb + "released"),
                           ("allocated", "Neutron's row, free in ipam: " + verb + "allocated to its port"),
                           ("reowned", "Neutron's row, another owner in ipam: " + verb + "given to Neutron's port"),
                           ("undone", "allocated by the repair and released again: the port's row went meanwhile")):
            for p in d[kind]:
                print(f"  {p['address']} {p['owner']}: {what}")
    for m in report["missing_in_ipam"]:
        print(f"not in ipam (ipam neutron import creates it): {m}")
    for m in report["extra_in_ipam"]:
        print(f"in ipam, not in Neutron (not deleted by sync): {m}")
    for m in report["definitions"]:
        print(f"definition differs (not changed by sync): {m}")
    print(f"subnets compared: {report['subnets']}; {verb}released {report['released']}, allocated "
          f"{report['allocated']}, re-owned {report['reowned']}; {report['seconds']} s")
    if report["applied"]:
        print("repaired" if not report["missing_in_ipam"] and not report["extra_in_ipam"]
              and not report["definitions"] and not any(d["error"] for d in report["differences"])
              else "repaired the addresses; the subnets listed above need a person")
    else:
        print("in step" if report["in_step"] else "differences found (dry run: nothing changed; --apply repairs "
                                                  "the addresses)")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="ipam neutron",
                                     description="Commands between a Neutron database and ipam.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, server: bool):
        p.add_argument("--db", help="Neutron's database URL (SQLAlchemy), e.g. mysql+pymysql://u:p@host/neutron")
        p.add_argument("--config-file", action="append", default=[],
                       help="neutron.conf: [ipam] server/token/tls_ca_file and [database] connection")
        if server:
            p.add_argument("--server", help="HOST:PORT of ipam serve")
            p.add_argument("--token-file", help="a file holding an administrator token")
            p.add_argument("--tls-ca-file", help="PEM of the CA of the server's certificate (TLS)")
            p.add_argument("--timeout", type=float, default=120.0, help="seconds per call (default 120)")
        p.add_argument("--json", action="store_true", help="print the report as JSON")

    common(sub.add_parser("import", help="build ipam from a Neutron database"), True)
    sync = sub.add_parser("sync", help="compare ipam with Neutron's ipallocations per subnet; --apply repairs")
    common(sync, True)
    sync.add_argument("--apply", action="store_true", help="repair the differences (default: a dry run)")
    sync.add_argument("--grace", type=float, default=120.0,
                      help="seconds: an allocation younger than this is never released or taken (a port being "
                           "created holds its address before its row commits; default 120)")
    common(sub.add_parser("restore-internal",
                          help="rebuild the internal IPAM driver's tables from Neutron's API tables"), False)
    args = parser.parse_args(argv)

    from ipam_client import IpamError
    from ipam_neutron import importer

    try:
        conf = _conf_file(args.config_file)
        engine = _engine(args, conf)
        if args.command == "restore-internal":
            counts = importer.restore_internal(engine)
            print(json.dumps(counts) if args.json else
                  f"internal driver tables rebuilt: {counts['subnets']} subnets, {counts['pools']} pools, "
                  f"{counts['allocations']} allocations")
            return 0
        if args.command == "sync":
            if not 0 <= args.grace <= 86400:
                raise UsageError(f"--grace {args.grace}: 0 to 86400 seconds")
            from ipam_neutron import sync
            with _connect(args, conf) as client:
                report = sync.run_sync(client, engine, int(args.grace * 1000), args.apply).to_dict()
            _print_sync(report, args.json)
            left = (any(d["error"] for d in report["differences"]) or report["missing_in_ipam"]
                    or report["extra_in_ipam"] or report["definitions"])
            return 0 if report["in_step"] or (report["applied"] and not left) else 1
        state = importer.read_neutron(engine)
        with _connect(args, conf) as client:
            report = importer.run_import(client, state).to_dict()
    except UsageError as e:
        print(f"ipam neutron: {e}", file=sys.stderr)
        return USAGE_EXIT
    except IpamError as e:
        print(f"ipam neutron: the ipam server refused or could not be reached: {e}", file=sys.stderr)
        return USAGE_EXIT
    except Exception as e:  # the database: unreachable, not Neutron's schema (sqlalchemy errors)
        if type(e).__module__.startswith("sqlalchemy"):
            print(f"ipam neutron: database: {str(e).splitlines()[0]}", file=sys.stderr)
            return USAGE_EXIT
        raise
    _print_import(report, args.json)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
