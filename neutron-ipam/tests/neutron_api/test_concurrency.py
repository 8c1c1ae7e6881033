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

Figures go to stdout and to $IPAM_NEUTRON_RESULTS/concurrency-<driver>.json (default target/neutron-results);
tools/neutron_report.py puts them in docs/neutron.md. Nothing about time is asserted.
"""

import json
import logging
import os
import pathlib
import re
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
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0
        self._lock = threading.Lock()

    def emit(self, record):
        if record.getMessage().startswith("Performing DB retry"):
            with self._lock:
                self.count += 1


class ConcurrentPortsMixin:
    driver_name = None

    def _setup_database_fixtures(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "neutron.sqlite")
        fixture = FileSqlFixture(path)
        self.useFixture(fixture)
        self.engine = fixture.engine

    def _ipam_check(self, ports):
        """Hook: the ipam driver's run also checks the server's owners."""

    def test_concurrent_port_creation(self):
        net = self._make_network(self.fmt, "concurrency", True)
        net_id = net["network"]["id"]
        subnet = self._make_subnet(self.fmt, net, "10.60.0.1", "10.60.0.0/22")
        subnet_id = subnet["subnet"]["id"]

        counter = RetryCounter()
        db_logger = logging.getLogger("oslo_db.api")
        old_level = db_logger.level
        db_logger.setLevel(logging.DEBUG)
        db_logger.addHandler(counter)
        self.addCleanup(db_logger.removeHandler, counter)
        self.addCleanup(db_logger.setLevel, old_level)

        DB_ERRORS.reset()
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
                        errors.append(repr(e)[:300])

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        start.wait(timeout=JOIN_TIMEOUT)
        began = time.monotonic()
        deadline = began + JOIN_TIMEOUT
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        elapsed = time.monotonic() - began
        alive = sum(t.is_alive() for t in threads)
        self.assertEqual(0, alive, "threads still running after %s s" % JOIN_TIMEOUT)

        ports = self._list("ports", query_params="network_id=%s" % net_id)["ports"]
        ips = [(ip["subnet_id"], ip["ip_address"]) for p in ports for ip in p["fixed_ips"]]
        duplicates = len(ips) - len(set(ips))
        created = statuses.count(201)
        result = {
            "driver": self.driver_name, "threads": THREADS, "ports_per_thread": PORTS_PER_THREAD,
            "requested": THREADS * PORTS_PER_THREAD, "created": created, "failed": len(statuses) - created,
            "duplicates": duplicates, "db_retries": counter.count, "db_errors": dict(sorted(DB_ERRORS.counts.items())),
            "address_conflicts": DB_ERRORS.counts.get("unique:ipamallocations", 0),
            "seconds": round(elapsed, 3),
            "ports_per_second": round(created / elapsed, 1) if elapsed > 0 else None,
            "loadavg_1m": round(os.getloadavg()[0], 2), "errors": errors[:5],
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / ("concurrency-%s.json" % self.driver_name)).write_text(json.dumps(result, indent=1) + "\n")
        print("concurrency %s: %s" % (self.driver_name, json.dumps(result)))

        self.assertEqual(0, duplicates, ips)
        self.assertEqual(THREADS * PORTS_PER_THREAD, len(statuses))
        self.assertEqual([], errors)
        self.assertEqual(created, len(ports))
        self.assertTrue(all(s == subnet_id for s, _ in ips))
        self._ipam_check(ports)


class TestConcurrentPortsInternal(ConcurrentPortsMixin, ml2_test.Ml2PluginV2TestCase):
    driver_name = "internal"

    def setUp(self):
        cfg.CONF.register_opts(base_config.core_opts)
        cfg.CONF.set_override("ipam_driver", "internal")
        super().setUp()


class TestConcurrentPortsIpam(ConcurrentPortsMixin, ml2_test.Ml2PluginV2TestCase):
    driver_name = "ipam"

    def setUp(self):
        cfg.CONF.register_opts(base_config.core_opts)
        cfg.CONF.set_override("ipam_driver", "ipam")
        self.server = ipam_server.shared()
        cfg.CONF.set_override("server", self.server.target, group="ipam")
        cfg.CONF.set_override("token", ipam_server.ADMIN_TOKEN, group="ipam")
        super().setUp()

    def _ipam_check(self, ports):
        # the database never refused an address: ipam chose each one once (no ipamallocations rows exist)
        self.assertEqual({}, {k: v for k, v in DB_ERRORS.counts.items() if k.startswith("unique:")})
        # every address Neutron recorded is held in ipam by its port, and ipam holds nothing more
        with Client(self.server.target, token=ipam_server.ADMIN_TOKEN) as c:
            for p in ports:
                held = sorted(a.address for a in c.allocations(p["id"]))
                self.assertEqual(sorted(ip["ip_address"] for ip in p["fixed_ips"]), held)
            subnet_id = ports[0]["fixed_ips"][0]["subnet_id"]
            self.assertEqual(len(ports), c.subnet(subnet_id).allocated)
