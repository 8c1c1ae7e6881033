"""Fault injection through Neutron's ML2 plugin (port security on): random port and subnet operations, a share
of them made to fail after the IPAM work, with an audit after every operation; the same sequence with Neutron's
internal driver and with ipam's.

    IPAM_FAULT_OPS   operations per driver (default 1000; run-suites --short and ./test: 60)
    IPAM_FAULT_RATE  share of operations with a fault (default 0.2)
    IPAM_FAULT_SEED  the sequence (default 23)

Faults (one per faulty operation, drawn among those that apply):
- ``port-security``: a port update also turns port security off while the port has security groups: Neutron
  refuses it (409 PortSecurityPortHasSecurityGroup) after the IPAM step;
- ``precommit``: the mechanism driver's ``*_precommit`` raises (500), after the IPAM step for creates and updates;
- ``deadlock``: ``*_precommit`` raises DBDeadlock once; Neutron retries the whole request, which then succeeds;
- ``lost-once``: ipam applies a call of the operation and the answer is lost once (the driver's keyed retry gets
  the first answer; for a release or subnet delete after the commit, the retry names the owner);
- ``lost``: every answer of an allocation, subnet create or update call is lost (the driver's retries too):
  Neutron gets 503 and rolls back; the driver must undo what ipam did. With the internal driver, which has no
  server, the same operation gets a ``precommit`` fault instead, so both runs fail it and stay comparable.

Addresses asked for by specific requests come from a range outside the pools, and a pool update keeps the same
addresses in the pools (split differently), so the two drivers' different automatic choices never change which
request succeeds (a 1,000-operation run with pools shrunk at random diverged at operation 296: the internal
driver had chosen the one address left in the pool, ipam another): every operation's status must be the same
with both drivers (``test_both_drivers_agree``, which compares the files the two runs write to
$IPAM_NEUTRON_RESULTS/faults-<driver>.json). After every operation harness.audit() must find the driver in step
with Neutron's ipallocations.
"""

import json
import os
import pathlib
import random
from unittest import mock

import grpc
from neutron.plugins.ml2.common import exceptions as ml2_exc
from neutron.tests.unit.plugins.ml2.drivers import mechanism_test
from neutron.tests.unit.plugins.ml2 import test_plugin as ml2_test
from oslo_config import cfg
from oslo_db import exception as db_exc

from ipam_client import IpamError
from ipam_neutron import driver as ipam_driver
from neutron_api import harness

OPS = int(os.environ.get("IPAM_FAULT_OPS", "1000"))
RATE = float(os.environ.get("IPAM_FAULT_RATE", "0.2"))
SEED = int(os.environ.get("IPAM_FAULT_SEED", "23"))
RESULTS = pathlib.Path(os.environ.get(
    "IPAM_NEUTRON_RESULTS", pathlib.Path(__file__).resolve().parents[3] / "target" / "neutron-results"))

# the subnets: (network, cidr, gateway, pool, specific range); subnet creates take CIDRs from NEW_CIDRS
SUBNETS = [
    ("a", "10.70.0.0/24", "10.70.0.1", ("10.70.0.10", "10.70.0.60"), (100, 140)),
    ("a", "2001:db8:70::/64", "2001:db8:70::1", ("2001:db8:70::10", "2001:db8:70::ffff"), None),
    ("b", "10.71.0.0/26", "10.71.0.1", ("10.71.0.10", "10.71.0.25"), (40, 60)),
]
NEW_CIDRS = ["10.72.%d.0/28" % i for i in range(8)] + ["10.71.0.0/28"]  # the last overlaps: refused by both

KINDS = [("create_port", 25), ("create_port_specific", 12), ("create_dhcp_port", 4), ("create_two_ip_port", 5),
         ("update_port_specific", 14), ("update_port_add", 5), ("delete_port", 15), ("create_subnet", 7),
         ("delete_subnet", 6), ("update_subnet_pools", 7)]


class LoseAnswers:
    """Wraps the driver's client: the server applies each call of ``methods``; its answer (or error) is lost, the
    first ``times`` times."""

    def __init__(self, methods, times):
        self.methods, self.left, self.lost = set(methods), times, 0
        self._client = ipam_driver.client()
        self._original = self._client.call

    def __enter__(self):
        def call(method, request):
            try:
                answer = self._original(method, request)
            except IpamError:
                answer = None
                if method not in self.methods or self.left <= 0:
                    raise
            if method in self.methods and self.left > 0:
                self.left -= 1
                self.lost += 1
                raise IpamError(grpc.StatusCode.UNAVAILABLE, "answer lost (fault injection)", None, 0)
            return answer

        self._client.call = call
        return self

    def __exit__(self, *exc):
        self._client.call = self._original


class FaultInjection:

    def setUp(self):
        cfg.CONF.set_override("extension_drivers", ["port_security"], group="ml2")
        cfg.CONF.set_override("retries", 2, group="ipam")
        super().setUp()
        self.rng = random.Random(SEED)
        self.nets = {name: self._make_network(self.fmt, "faults-" + name, True)["network"]["id"]
                     for name in ("a", "b")}
        self.subnets = []  # dicts: id, net, cidr, pool, specific (first, last) or None, version, created
        for net, cidr, gw, pool, specific in SUBNETS:
            v6 = ":" in cidr
            kw = {"ip_version": 6, "ipv6_address_mode": "dhcpv6-stateful", "ipv6_ra_mode": "dhcpv6-stateful"} \
                if v6 else {}
            res = self._create_subnet(self.fmt, self.nets[net], cidr, gateway_ip=gw,
                                      allocation_pools=[{"start": pool[0], "end": pool[1]}], **kw)
            self.assertEqual(201, res.status_int, res.body)
            sid = self.deserialize(self.fmt, res)["subnet"]["id"]
            self.subnets.append({"id": sid, "net": net, "cidr": cidr, "specific": specific, "created": False})
        self.ports = []  # (creation number, id): descriptions name the number, the same in both drivers' runs
        self.created_ports = 0
        self.next_cidr = 0

    # ----- choosing --------------------------------------------------------------------------------------------

    def v4_subnet(self, net=None):
        return self.rng.choice([s for s in self.subnets if s["specific"] and (net is None or s["net"] == net)])

    def specific(self, s):
        first, last = s["specific"]
        base = s["cidr"].split("/")[0].rsplit(".", 1)[0]
        return "%s.%d" % (base, self.rng.randint(first, last))

    def fixed(self, s, ip=None):
        return {"subnet_id": s["id"], "ip_address": ip} if ip else {"subnet_id": s["id"]}

    # ----- one operation ---------------------------------------------------------------------------------------

    def operation(self, kind):
        """(description, callable returning the response, precommit method, ipam methods, deferred methods)."""
        net = self.rng.choice(["a", "b"])
        if kind in ("create_port", "create_port_specific", "create_dhcp_port", "create_two_ip_port"):
            kw = {}
            if kind == "create_port_specific":
                s = self.v4_subnet()
                net, kw["fixed_ips"] = s["net"], [self.fixed(s, self.specific(s))]
            elif kind == "create_dhcp_port":
                kw["device_owner"] = "network:dhcp"
            elif kind == "create_two_ip_port":
                net = "a"
                kw["fixed_ips"] = [self.fixed(self.subnets[0], self.specific(self.subnets[0])),
                                   self.fixed(self.subnets[1])]
            if net == "b" and "fixed_ips" not in kw:  # one subnet named: the order Neutron tries a network's
                kw["fixed_ips"] = [self.fixed(self.v4_subnet("b"))]  # subnets in is by id, random per run
            desc = "%s on %s %s" % (kind, net, json.dumps(kw, sort_keys=True))
            return desc, lambda: self._create_port(self.fmt, self.nets[net], arg_list=tuple(kw), **kw), \
                "create_port_precommit", ("Allocate", "AllocatePort"), ()
        if kind.startswith("update_port") or kind == "delete_port":
            if not self.ports:
                return None
            number, port = self.rng.choice(self.ports)
            if kind == "delete_port":
                return "delete_port #%d" % number, lambda: self.new_delete_request("ports", port).get_response(
                    self.api), "delete_port_precommit", (), ("Release",)
            current = self._show("ports", port)["port"]
            net = [k for k, v in self.nets.items() if v == current["network_id"]][0]
            s = self.v4_subnet(net)
            fixed = [self.fixed(s, self.specific(s))]
            if kind == "update_port_add":
                fixed = [{"subnet_id": f["subnet_id"], "ip_address": f["ip_address"]}
                         for f in current["fixed_ips"]] + [self.fixed(s)]
            body = {"fixed_ips": fixed}
            shown = fixed if kind != "update_port_add" else fixed[-1:]  # the port's own addresses differ per driver
            return "%s #%d %s" % (kind, number, json.dumps(shown, sort_keys=True)), \
                lambda extra=None: self.new_update_request("ports", {"port": dict(body, **(extra or {}))},
                                                           port).get_response(self.api), \
                "update_port_precommit", ("Allocate", "AllocatePort"), ("Release",)
        if kind == "create_subnet":
            cidr = NEW_CIDRS[self.next_cidr % len(NEW_CIDRS)]
            self.next_cidr += 1
            base = cidr.split("/")[0].rsplit(".", 1)[0]
            pools = [{"start": base + ".2", "end": base + ".7"}]  # .8-.14: specific requests only
            return "create_subnet %s on b" % cidr, lambda: self._create_subnet(self.fmt, self.nets["b"], cidr,
                                                                                allocation_pools=pools), \
                "create_subnet_precommit", ("CreateSubnet",), ()
        created = [s for s in self.subnets if s["created"]]
        if not created:
            return None
        s = self.rng.choice(created)
        if kind == "delete_subnet":
            return "delete_subnet %s" % s["cidr"], lambda: self.new_delete_request("subnets", s["id"]).get_response(
                self.api), "delete_subnet_precommit", (), ("DeleteSubnet",)
        base = s["cidr"].split("/")[0].rsplit(".", 1)[0]
        # the pools always cover .2-.7, in one range or split in two: a pool that left out an address one driver
        # had chosen automatically and the other had not would make the next automatic create succeed with one and
        # fail with the other (RANDOM in ipam, a random pick from a low window in the internal driver)
        split = self.rng.randint(3, 8)
        ranges = [(2, 7)] if split == 8 else [(2, split - 1), (split, 7)]
        body = {"allocation_pools": [{"start": "%s.%d" % (base, a), "end": "%s.%d" % (base, b)} for a, b in ranges]}
        return "update_subnet %s %s" % (s["cidr"], json.dumps(body)), \
            lambda: self.new_update_request("subnets", {"subnet": body}, s["id"]).get_response(self.api), \
            "update_subnet_precommit", ("UpdateSubnet",), ()

    def run_one(self, kind, fault):
        op = self.operation(kind)
        if op is None:
            return None
        desc, run, precommit, methods, deferred = op
        for s in self.subnets:  # named by CIDR: ids differ between the two drivers' runs
            desc = desc.replace(s["id"], s["cidr"])
        if fault == "port-security" and not kind.startswith("update_port"):
            fault = "precommit"
        if fault == "lost" and not methods:
            fault = "lost-once"  # deferred work (a release, a delete) is done after the commit: see the doc
        if fault in ("lost", "lost-once") and self.driver_name == "internal":
            fault = "precommit" if fault == "lost" else None  # no server: fail it as ipam's run does
        calls = {"n": 0}

        def failing(*args, **kwargs):
            calls["n"] += 1
            if fault in ("precommit", "lost"):
                raise ml2_exc.MechanismDriverError(method=precommit)
            if calls["n"] == 1:
                raise db_exc.DBDeadlock()

        if fault in ("precommit", "deadlock"):
            with mock.patch.object(mechanism_test.TestMechanismDriver, precommit, side_effect=failing):
                res = run()
        elif fault == "port-security":
            res = run({"port_security_enabled": False})
        elif fault == "lost":
            # the call and both retries lost: 503; an operation that made no such call fails in precommit
            with LoseAnswers(methods, 1 + cfg.CONF.ipam.retries), \
                    mock.patch.object(mechanism_test.TestMechanismDriver, precommit, side_effect=failing):
                res = run()
        elif fault == "lost-once":
            with LoseAnswers(methods or deferred, 1):
                res = run()
        else:
            res = run()
        status = res.status_int
        if status == 201 and kind.startswith("create_") and kind != "create_subnet":
            self.created_ports += 1
            self.ports.append((self.created_ports, self.deserialize(self.fmt, res)["port"]["id"]))
        elif status == 201:
            sid = self.deserialize(self.fmt, res)["subnet"]["id"]
            self.subnets.append({"id": sid, "net": "b", "cidr": desc.split()[1], "specific": (8, 14),
                                 "created": True})
        if status >= 500:
            status = "5xx"  # 503 (ipam's answers lost) and 500 (a precommit) are the same failure
        elif status == 204 and kind == "delete_port":
            self.ports = [p for p in self.ports if "#%d" % p[0] != desc.split()[1]]
        elif status == 204:
            self.subnets = [s for s in self.subnets if s["cidr"] != desc.split()[1] or not s["created"]]
        entry = {"op": desc, "fault": fault, "status": status}
        if res.status_int >= 400:
            entry["error"] = res.body.decode(errors="replace")[:300]
        return entry

    def write_summary(self, log, finished):
        """$IPAM_NEUTRON_RESULTS/faults-<driver>.json: the operations so far (every 25, and at the end), so that a
        run stopped by hand still says how far it got with every audit held."""
        summary = {"driver": self.driver_name, "ops": len(log), "seed": SEED, "rate": RATE, "finished": finished,
                   "faulty": sum(1 for e in log if e["fault"]), "by_fault": {}, "statuses": {}, "log": log}
        for e in log:
            summary["by_fault"][str(e["fault"])] = summary["by_fault"].get(str(e["fault"]), 0) + 1
            summary["statuses"][str(e["status"])] = summary["statuses"].get(str(e["status"]), 0) + 1
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / ("faults-%s.json" % self.driver_name)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary, indent=1) + "\n")
        tmp.replace(path)
        return summary

    def test_random_operations_with_faults_stay_in_step(self):
        log = []
        for i in range(OPS):
            kind = self.rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            fault = self.rng.choice(["port-security", "precommit", "deadlock", "lost-once", "lost"]) \
                if self.rng.random() < RATE else None
            entry = self.run_one(kind, fault)
            if entry is None:
                continue
            entry["i"] = i
            log.append(entry)
            problems = harness.audit(self.driver_name)
            self.assertEqual([], problems, "after operation %d: %s" % (i, entry))
            if len(log) % 25 == 0:
                self.write_summary(log, False)
        summary = self.write_summary(log, True)
        self.assertGreater(summary["faulty"], 0)


class TestFaultsInternal(harness.UseInternalMixin, FaultInjection, ml2_test.Ml2PluginV2TestCase):
    pass


class TestFaultsIpam(harness.UseIpamServerMixin, FaultInjection, ml2_test.Ml2PluginV2TestCase):
    pass


def test_both_drivers_agree():
    """Runs after both classes (file order): every operation has the same status with both drivers."""
    runs = {}
    for name in ("internal", "ipam"):
        path = RESULTS / ("faults-%s.json" % name)
        assert path.exists(), "%s: the %s run did not finish" % (path, name)
        runs[name] = json.loads(path.read_text())
        assert runs[name]["finished"], "%s: the %s run stopped after %d operations" % (path, name, runs[name]["ops"])
    internal, ipam = runs["internal"]["log"], runs["ipam"]["log"]
    assert [e["op"] for e in internal] == [e["op"] for e in ipam]
    differ = [(a["op"], a["fault"], a["status"], b["fault"], b["status"]) for a, b in zip(internal, ipam)
              if a["status"] != b["status"] and not both_failed_a_lost_operation(a, b)]
    assert differ == []


def both_failed_a_lost_operation(internal: dict, ipam: dict) -> bool:
    """A ``lost`` operation (every answer lost, ipam's run) fails with 503 whatever the server answered; the internal
    driver's run fails the same operation in precommit, or earlier with the refusal the server's lost answer would
    have carried (409 for an address taken, 400 for an overlapping subnet): both failed, which is what is compared."""
    failed = [e["status"] == "5xx" or int(e["status"]) >= 400 for e in (internal, ipam)]
    return ipam["fault"] == "lost" and all(failed)
