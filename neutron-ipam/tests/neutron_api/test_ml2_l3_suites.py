"""Neutron's ML2 plugin suites (ports, subnets, networks, subnet pools; neutron/tests/unit/plugins/ml2/
test_plugin.py) and its L3 suite (the DB-backed L3 NAT test cases, test_l3.L3NatDBIntTestCase), each run twice
in one process: with Neutron's internal IPAM driver and with ipam's against the real `ipam serve` of the session.

Neutron has no ML2 subnet-pool class; TestMl2SubnetPoolsV2 below is Neutron's TestSubnetPoolsV2 on the ML2
plugin, built as Neutron builds TestMl2SubnetsV2.
"""

from neutron.tests.common import test_db_base_plugin_v2 as test_db_base
from neutron.tests.unit.extensions import test_l3
from neutron.tests.unit.plugins.ml2 import test_plugin as ml2_test

from neutron_api.harness import UseInternalMixin, UseIpamServerMixin


class _Ml2SubnetPools(test_db_base.TestSubnetPoolsV2, ml2_test.Ml2PluginV2TestCase):
    pass


# Neutron's internal driver
class TestInternalMl2Ports(UseInternalMixin, ml2_test.TestMl2PortsV2):
    pass


class TestInternalMl2Subnets(UseInternalMixin, ml2_test.TestMl2SubnetsV2):
    pass


class TestInternalMl2Networks(UseInternalMixin, ml2_test.TestMl2NetworksV2):
    pass


class TestInternalMl2SubnetPools(UseInternalMixin, _Ml2SubnetPools):
    pass


class TestInternalL3NatDBInt(UseInternalMixin, test_l3.L3NatDBIntTestCase):
    pass


# ipam's driver: the same suites
class TestIpamMl2Ports(UseIpamServerMixin, ml2_test.TestMl2PortsV2):
    pass


class TestIpamMl2Subnets(UseIpamServerMixin, ml2_test.TestMl2SubnetsV2):
    pass


class TestIpamMl2Networks(UseIpamServerMixin, ml2_test.TestMl2NetworksV2):
    pass


class TestIpamMl2SubnetPools(UseIpamServerMixin, _Ml2SubnetPools):
    pass


class TestIpamL3NatDBInt(UseIpamServerMixin, test_l3.L3NatDBIntTestCase):
    pass
