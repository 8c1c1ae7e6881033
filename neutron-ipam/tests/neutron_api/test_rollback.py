"""Six rollback scenarios through Neutron's ML2 plugin (port security on, a pool of 10.0.0.10-14), with the
internal driver and with ipam's against a real `ipam serve`. After every step the driver's state is audited
against Neutron's ipallocations (harness.audit); each step's API result must be what the internal driver gives.

Issue 23: each failed with ipam's driver before it followed Neutron's transactions (the driver released and
allocated at once, outside Neutron's transaction, and Neutron compensated only failures inside a few IPAM
functions).
"""

from unittest import mock

from neutron.plugins.ml2.common import exceptions as ml2_exc
from neutron.tests.unit.plugins.ml2.drivers import mechanism_test
from neutron.tests.unit.plugins.ml2 import test_plugin as ml2_test
from oslo_config import cfg
from oslo_db import exception as db_exc

from neutron_api import harness


class RollbackScenarios:
    pool_last = "10.0.0.14"  # five addresses

    def setUp(self):
        cfg.CONF.set_override("extension_drivers", ["port_security"], group="ml2")
        super().setUp()
        self.net = self._make_network(self.fmt, "rollback", True)
        self.subnet = self._make_subnet(self.fmt, self.net, "10.0.0.1", "10.0.0.0/24",
                                        allocation_pools=[{"start": "10.0.0.10", "end": self.pool_last}])
        self.subnet_id = self.subnet["subnet"]["id"]

    def in_step(self):
        self.assertEqual([], harness.audit(self.driver_name))

    def port(self, ip=None, status=201, **kw):
        fixed = [{"subnet_id": self.subnet_id, "ip_address": ip}] if ip else [{"subnet_id": self.subnet_id}]
        res = self._create_port(self.fmt, self.net["network"]["id"], fixed_ips=fixed,
                                arg_list=tuple(kw), **kw)
        self.assertEqual(status, res.status_int, res.body)
        self.in_step()
        return self.deserialize(self.fmt, res)["port"] if status == 201 else None

    def ips(self, port_id):
        return [ip["ip_address"] for ip in self._show("ports", port_id)["port"]["fixed_ips"]]

    def update(self, port_id, body, status):
        req = self.new_update_request("ports", {"port": body}, port_id)
        res = req.get_response(self.api)
        self.assertEqual(status, res.status_int, res.body)
        self.in_step()
        return res

    def refused_update(self, port_id, ip):
        res = self.update(port_id, {"fixed_ips": [{"subnet_id": self.subnet_id, "ip_address": ip}],
                                    "port_security_enabled": False}, 409)
        self.assertIn("PortSecurityPortHasSecurityGroup", res.body.decode())

    # 1
    def test_a_port_security_conflict_keeps_the_port_on_its_address(self):
        p1 = self.port("10.0.0.10")
        self.refused_update(p1["id"], "10.0.0.11")
        self.assertEqual(["10.0.0.10"], self.ips(p1["id"]))

    # 2
    def test_after_a_refused_update_the_kept_address_is_refused_and_a_dhcp_port_gets_a_free_one(self):
        p1 = self.port("10.0.0.10")
        self.refused_update(p1["id"], "10.0.0.11")
        self.port("10.0.0.10", status=409)
        dhcp = self.port(device_owner="network:dhcp")
        self.assertEqual(["10.0.0.11"], self.ips(dhcp["id"]))  # prefer-next: the lowest free

    # 3
    def test_refused_updates_do_not_drain_the_pool(self):
        p1 = self.port("10.0.0.10")
        for ip in ("10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"):
            self.refused_update(p1["id"], ip)
        others = [self.port() for _ in range(4)]  # the four other addresses are free
        self.assertEqual(4, len({self.ips(p["id"])[0] for p in others}))
        self._delete("ports", p1["id"])
        self.in_step()
        self.assertEqual(["10.0.0.10"], self.ips(self.port("10.0.0.10")["id"]))

    # 4
    def test_a_mechanism_driver_failing_update_precommit_leaves_both_as_they_were(self):
        p1 = self.port("10.0.0.10")
        with mock.patch.object(mechanism_test.TestMechanismDriver, "update_port_precommit",
                               side_effect=ml2_exc.MechanismDriverError(method="update_port_precommit")):
            self.update(p1["id"], {"fixed_ips": [{"subnet_id": self.subnet_id, "ip_address": "10.0.0.11"}]}, 500)
        self.assertEqual(["10.0.0.10"], self.ips(p1["id"]))
        self.port("10.0.0.11")  # the address the failed update took is free again

    # 5
    def test_a_deadlock_in_update_precommit_is_retried_and_the_retry_gets_the_address(self):
        p1 = self.port("10.0.0.10")
        calls = {"n": 0}

        def once(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 1:
                raise db_exc.DBDeadlock()

        with mock.patch.object(mechanism_test.TestMechanismDriver, "update_port_precommit", side_effect=once):
            self.update(p1["id"], {"fixed_ips": [{"subnet_id": self.subnet_id, "ip_address": "10.0.0.11"}]}, 200)
        self.assertGreaterEqual(calls["n"], 2)
        self.assertEqual(["10.0.0.11"], self.ips(p1["id"]))
        self.port("10.0.0.10")  # released by the committed update

    # 6
    def test_create_precommit_failing_leaves_nothing_and_a_retried_create_gets_the_address(self):
        with mock.patch.object(mechanism_test.TestMechanismDriver, "create_port_precommit",
                               side_effect=ml2_exc.MechanismDriverError(method="create_port_precommit")):
            self.port("10.0.0.11", status=500)
        calls = {"n": 0}

        def once(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 1:
                raise db_exc.DBDeadlock()  # Neutron retries the create: a new port id asks for .11 again

        with mock.patch.object(mechanism_test.TestMechanismDriver, "create_port_precommit", side_effect=once):
            p = self.port("10.0.0.11")
        self.assertEqual(2, calls["n"])
        self.assertEqual(["10.0.0.11"], self.ips(p["id"]))


class TestRollbackInternal(harness.UseInternalMixin, RollbackScenarios, ml2_test.Ml2PluginV2TestCase):
    pass


class TestRollbackIpam(harness.UseIpamServerMixin, RollbackScenarios, ml2_test.Ml2PluginV2TestCase):
    pass
