"""N threads creating ports on one subnet through Neutron's API layer and ML2, with the internal driver and ipam's.

The Neutron unit-test harness with the ML2 plugin (Ml2PluginV2TestCase: the API router, ML2 with its test
mechanism drivers, policy, quotas) with
one change: its database is a SQLite file in WAL mode instead of the shared in-memory connection, so that each
thread has a connection and transaction of its own (one in-memory connection shared by threads cannot run
transactions side by side). SQLite lets one writer commit at a time; a transaction that read and then finds
that another one wrote first fails with "database is locked", which is mapped to DBDeadlock here, the error a
MySQL/Galera deadlock or certification failure gives, so Neutron's own retry decorators retry it as they
would in production. Retries are counted from oslo.db's "Performing DB retry" records, and the database's
refusals by kind (a UNIQUE constraint on ipamallocations is the internal driver's address race: two requests
chose the same address; "locked" is a lost write race of any transaction).

The two drivers alternate in one harness (internal, ipam, ipam, internal, ...; IPAM_NEUTRON_ROUNDS rounds each,
default 5), each round on a network and subnet of its own made with that round's driver (the driver is read
from the configuration at every IPAM call), so that both see the same machine load. Rounds 2k and 2k+1 are a
pair (one round of each driver, back to back); the figure compared is the median over the pairs of ipam's ports
per second divided by the internal driver's: a round's rate here is mostly how many of its transactions lost
a SQLite write race and how long Neutron's retry decorator slept (randomised backoff), which varies from round
to round, so one round each (74% in one run, 164% in another) cannot tell the drivers apart. A driver's ports per second over all its rounds is given too. Figures go to stdout and to
$IPAM_NEUTRON_RESULTS/concurrency-<driver>.json (default target/neutron-results); tools/report.py puts them in
docs/neutron.md. Nothing about time is asserted.
"""

import json
import logging
import os
import pathlib
import re
import statistics
import threading
import time

import fixtures
import sqlalchemy
from neutron.conf import common as base_config
from neutron.tests.unit.plugins.ml2 import test_plugin as ml2_test
from neutron_lib import fixture as lib_fixtures
from oslo_config import cfg
from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import exc_filters
from sqlalchemy import exc as sqla_exc

import ipam_server
from ipam_neutron import driver as _driver  # noqa: F401  registers [ipam]
from ipam_client import Client

THREADS = int(os.environ.get("IPAM_NEUTRON_THREADS", "8"))
PORTS_PER_THREAD = int(os.environ.get("IPAM_NEUTRON_PORTS", "10"))
ROUNDS = int(os.environ.get("IPAM_NEUTRON_ROUNDS", "5"))  # rounds per driver, alternating
JOIN_TIMEOUT = float(os.environ.get("IPAM_NEUTRON_TIMEOUT", "600"))
RESULTS = pathlib.Path(os.environ.get(
    "IPAM_NEUTRON_RESULTS", pathlib.Path(__file__).resolve().parents[3] / "target" / "neutron-results"))

# SQLite's lost race between two writers is a deadlock to Neutron (see the module doc)
exc_filters.filters("sqlite", sqla_exc.OperationalError, r".*database is locked.*")(exc_filters._deadlock_error)


class FileSqlFixture(lib_fixtures.SqlFixture):
    """Neutron's schema in a SQLite file, WAL mode, one connection per thread."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def _init_resources(self):
        engine = engines.create_engine("sqlite:///" + self.path)

        @sqlalchemy.event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        @sqlalchemy.event.listens_for(engine, "handle_error")
        def _count(context):
            DB_ERRORS.add(str(context.original_exception))

        self._generate_schema(engine)
        self.engine = engine


class DbErrors:
    """What the database refused, by kind: a unique row already there (which table), or a lost write race."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts = {}

    def add(self, message):
        m = re.search(r"UNIQUE constraint failed: (\w+)", message)
        kind = ("unique:" + m.group(1)) if m else ("locked" if "database is locked" in message else "other")
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def reset(self):
        with self._lock:
            self.counts = {}


DB_ERRORS = DbErrors()


class RetryCounter(logging.Handler):
    """oslo.db's retries, and the requests it gave up on after Neutron's retry limit (a 500 to the client)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0
        self.gave_up = 0
        self._lock = threading.Lock()

    def emit(self, record):
        message = record.getMessage()
        with self._lock:
            if message.startswith("Performing DB retry"):
                self.count += 1
            elif message.startswith("DB exceeded retry limit"):
                self.gave_up += 1


class TestConcurrentPorts(ml2_test.Ml2PluginV2TestCase):

    def setUp(self):
        cfg.CONF.register_opts(base_config.core_opts)
        self.server = ipam_server.shared()
        cfg.CONF.set_override("server", self.server.target, group="ipam")
        cfg.CONF.set_override("token", ipam_server.ADMIN_TOKEN, group="ipam")
        cfg.CONF.set_override("quota_port", -1, group="QUOTAS")  # every round's ports in one project
        super().setUp()

    def _setup_database_fixtures(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "neutron.sqlite")
        fixture = FileSqlFixture(path)
        self.useFixture(fixture)
        self.engine = fixture.engine

    def one_round(self, driver_name, number):
        """THREADS threads create PORTS_PER_THREAD ports each on a new /22 made with the given driver."""
        cfg.CONF.set_override("ipam_driver", driver_name)
        net = self._make_network(self.fmt, "concurrency-%s-%d" % (driver_name, number), True)
        net_id = net["network"]["id"]
        subnet = self._make_subnet(self.fmt, net, "10.60.%d.1" % (4 * number), "10.60.%d.0/22" % (4 * number))
        subnet_id = subnet["subnet"]["id"]
        statuses, errors = [], []
        lock = threading.Lock()
        start = threading.Barrier(THREADS + 1)

        def worker():
            start.wait(timeout=JOIN_TIMEOUT)
            for _ in range(PORTS_PER_THREAD):
                try:
                    res = self._create_port(self.fmt, net_id)
                    with lock:
                        statuses.append(res.status_int)
                        if res.status_int != 201:
                            errors.append(res.body[:300])
                except Exception as e:  # a thread must report, not die silently
                    with lock:
                        statuses.append(-1)
                        errors.append(repr(e)[:300].encode())

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        start.wait(timeout=JOIN_TIMEOUT)
        began = time.monotonic()
        deadline = began + JOIN_TIMEOUT
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        elapsed = time.monotonic() - began
        self.assertEqual(0, sum(t.is_alive() for t in threads), "threads still running after %s s" % JOIN_TIMEOUT)

        ports = self._list("ports", query_params="network_id=%s" % net_id)["ports"]
        ips = [(ip["subnet_id"], ip["ip_address"]) for p in ports for ip in p["fixed_ips"]]
        self.assertEqual(len(ips), len(set(ips)), "duplicates: %s" % ips)
        # a create may fail only as a 500 after Neutron's DB retry limit (20 lost SQLite write races in a row: the
        # harness's database, either driver, more likely the more loaded the machine); the caller checks that
        # each such failure is one oslo.db gave up on
        self.assertEqual([], [e for e in errors if b"HTTPInternalServerError" not in e])
        self.assertEqual(THREADS * PORTS_PER_THREAD, statuses.count(201) + len(errors))
        self.assertEqual(statuses.count(201), len(ports))
        self.assertTrue(all(s == subnet_id for s, _ in ips))
        if driver_name == "ipam":
            # every address Neutron recorded is held in ipam by its port, and ipam holds nothing more
            with Client(self.server.target, token=ipam_server.ADMIN_TOKEN) as c:
                for p in ports:
                    held = sorted(a.address for a in c.allocations(p["id"]))
                    self.assertEqual(sorted(ip["ip_address"] for ip in p["fixed_ips"]), held)
                self.assertEqual(len(ports), c.subnet(subnet_id).allocated)
        return {"created": statuses.count(201), "failed": len(statuses) - statuses.count(201),
                "duplicates": len(ips) - len(set(ips)), "seconds": elapsed, "errors": errors[:5],
                "loadavg_1m": os.getloadavg()[0]}

    def test_concurrent_port_creation(self):
        counter = RetryCounter()
        db_logger = logging.getLogger("oslo_db.api")
        old_level = db_logger.level
        db_logger.setLevel(logging.DEBUG)
        db_logger.addHandler(counter)
        self.addCleanup(db_logger.removeHandler, counter)
        self.addCleanup(db_logger.setLevel, old_level)
        totals = {d: {"created": 0, "failed": 0, "duplicates": 0, "seconds": 0.0, "db_retries": 0, "failed_by_round": [],
                      "db_errors": {}, "loads": [], "rounds": []} for d in ("internal", "ipam")}
        order = []
        for r in range(ROUNDS):
            order += [("internal", "ipam"), ("ipam", "internal")][r % 2]
        rates = []  # ports per second of each round, in order
        for number, name in enumerate(order):
            DB_ERRORS.reset()
            retries_before, gave_up_before = counter.count, counter.gave_up
            result = self.one_round(name, number)
            gave_up = counter.gave_up - gave_up_before
            self.assertEqual(result["failed"], gave_up,
                             "round %d (%s): failed creates %s, requests oslo.db gave up on %d"
                             % (number, name, result["errors"], gave_up))
            t = totals[name]
            for k in ("created", "failed", "duplicates", "seconds"):
                t[k] += result[k]
            t["db_retries"] += counter.count - retries_before
            for kind, n in DB_ERRORS.counts.items():
                t["db_errors"][kind] = t["db_errors"].get(kind, 0) + n
            t["loads"].append(round(result["loadavg_1m"], 2))
            t["failed_by_round"].append(result["failed"])
            rate = result["created"] / result["seconds"]  # ports created per second, as the totals count them
            t["rounds"].append(round(rate, 2))
            rates.append((name, rate))
            print("concurrency round %d (%s): %s" % (number, name, {k: v for k, v in result.items() if k != "errors"}),
                  flush=True)
        pairs = []  # ipam's rate over the internal driver's, per pair of back-to-back rounds
        for k in range(0, len(rates) - 1, 2):
            by_driver = dict(rates[k:k + 2])
            pairs.append(round(by_driver["ipam"] / by_driver["internal"], 3))
        median_ratio = statistics.median(pairs)
        print("concurrency pairs: ipam/internal ports/s by pair %s, median %.3f" % (pairs, median_ratio))
        RESULTS.mkdir(parents=True, exist_ok=True)
        for name, t in totals.items():
            out = {
                "driver": name, "threads": THREADS, "ports_per_thread": PORTS_PER_THREAD, "rounds": ROUNDS,
                "requested": THREADS * PORTS_PER_THREAD * ROUNDS, "created": t["created"], "failed": t["failed"],
                "duplicates": t["duplicates"], "db_retries": t["db_retries"],
                "failed_by_round": t["failed_by_round"],
                "db_errors": dict(sorted(t["db_errors"].items())),
                "address_conflicts": t["db_errors"].get("unique:ipamallocations", 0),
                "seconds": round(t["seconds"], 3),
                "ports_per_second": round(t["created"] / t["seconds"], 2) if t["seconds"] > 0 else None,
                "ports_per_second_by_round": t["rounds"], "loadavg_1m": max(t["loads"]),
                "loadavg_1m_by_round": t["loads"], "order": order, "errors": [],
                "ratio_by_pair": pairs, "median_ratio": median_ratio,
            }
            (RESULTS / ("concurrency-%s.json" % name)).write_text(json.dumps(out, indent=1) + "\n")
            print("concurrency %s: %s" % (name, json.dumps(out)))
        # the database never refused an address ipam chose (no ipamallocations rows exist for ipam's subnets)
        self.assertEqual(0, totals["ipam"]["db_errors"].get("unique:ipamallocations", 0))
