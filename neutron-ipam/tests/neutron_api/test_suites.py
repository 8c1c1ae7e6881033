"""Neutron's own API suites, run twice in one process: with Neutron's internal IPAM driver and with ipam's.

neutron/tests/unit/db/test_ipam_pluggable_backend.py re-runs TestV2HTTPResponse, TestPortsV2, TestNetworksV2,
TestSubnetsV2 and TestSubnetPoolsV2 with the internal driver (UseIpamMixin); the Internal* classes below are
exactly those classes, the Ipam* classes are the same suites with ``ipam_driver = ipam`` against the real
`ipam serve` that ipam_server.shared() starts (once per process).
"""

from neutron.conf import common as base_config
from neutron.tests.common import test_db_base_plugin_v2 as test_db_base
from neutron.tests.unit.db import test_ipam_pluggable_backend as reference
from oslo_config import cfg

import ipam_server
from ipam_neutron import driver as ipam_driver


class UseIpamServerMixin:

    def setUp(self):
        cfg.CONF.register_opts(base_config.core_opts)
        cfg.CONF.set_override("ipam_driver", "ipam")
        server = ipam_server.shared()
        cfg.CONF.set_override("server", server.target, group="ipam")
        cfg.CONF.set_override("token", ipam_server.ADMIN_TOKEN, group="ipam")
        super().setUp()


# Neutron's internal driver: the reference suites, unchanged
class TestInternalHTTPResponse(reference.TestIpamHTTPResponse):
    pass


class TestInternalPorts(reference.TestIpamPorts):
    pass


class TestInternalNetworks(reference.TestIpamNetworks):
    pass


class TestInternalSubnets(reference.TestIpamSubnets):
    pass


class TestInternalSubnetPool(reference.TestIpamSubnetPool):
    pass


# ipam's driver: the same suites
class TestIpamHTTPResponse(UseIpamServerMixin, test_db_base.TestV2HTTPResponse):
    pass


class TestIpamPorts(UseIpamServerMixin, test_db_base.TestPortsV2):
    pass


class TestIpamNetworks(UseIpamServerMixin, test_db_base.TestNetworksV2):
    pass


class TestIpamSubnets(UseIpamServerMixin, test_db_base.TestSubnetsV2):
    pass


class TestIpamSubnetPool(UseIpamServerMixin, test_db_base.TestSubnetPoolsV2):
    pass


assert ipam_driver.IpamPool  # the driver module imports (and registers [ipam]) before any suite runs
