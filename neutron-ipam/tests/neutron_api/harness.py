"""What Neutron-harness tests share: choosing the IPAM driver, and the audit of the driver's state against
Neutron's ``ipallocations`` (the API-exposed truth), for either driver.

- ``UseIpamServerMixin``: ``ipam_driver = ipam`` against the session's real ``ipam serve``.
- ``UseInternalMixin``: ``ipam_driver = internal`` (Neutron's reference driver).
- ``audit(test)``: every ``ipallocations`` row is held by the driver, by its port (ipam) or as a row of the
  internal driver's ``ipamallocations``, and the driver holds nothing else on Neutron's subnets (nor, in ipam,
  a subnet of Neutron's networks that Neutron does not have). Returns a list
  of differences (empty: in step).
"""

from neutron.conf import common as base_config
from neutron.ipam.drivers.neutrondb_ipam import db_models as internal_models
from neutron.db import models_v2
from neutron_lib import context as n_context
from oslo_config import cfg

import ipam_server
from ipam_client import Client
from ipam_neutron import driver as ipam_driver  # noqa: F401  registers [ipam]


class UseIpamServerMixin:
    driver_name = "ipam"

    def setUp(self, *args, **kwargs):
        cfg.CONF.register_opts(base_config.core_opts)
        cfg.CONF.set_override("ipam_driver", "ipam")
        server = ipam_server.shared()
        cfg.CONF.set_override("server", server.target, group="ipam")
        cfg.CONF.set_override("token", ipam_server.ADMIN_TOKEN, group="ipam")
        super().setUp(*args, **kwargs)


class UseInternalMixin:
    driver_name = "internal"

    def setUp(self, *args, **kwargs):
        cfg.CONF.register_opts(base_config.core_opts)
        cfg.CONF.set_override("ipam_driver", "internal")
        super().setUp(*args, **kwargs)


_admin = {}


def admin_client() -> Client:
    server = ipam_server.shared()
    c = _admin.get(server.target)
    if c is None:
        c = _admin[server.target] = Client(server.target, token=ipam_server.ADMIN_TOKEN, timeout=60)
    return c


def neutron_rows(ctx=None):
    """{(subnet id, address): port id} of Neutron's ipallocations, and the ids of Neutron's subnets."""
    ctx = ctx or n_context.get_admin_context()
    session = ctx.session
    rows = {(a.subnet_id, a.ip_address): a.port_id for a in session.query(models_v2.IPAllocation)}
    subnets = {s.id: s for s in session.query(models_v2.Subnet)}
    networks = [n.id for n in session.query(models_v2.Network)]
    return rows, subnets, networks


def audit(driver_name: str, ctx=None):
    """Differences between the IPAM driver's state and Neutron's ipallocations (module doc); [] when in step."""
    ctx = ctx or n_context.get_admin_context()
    rows, subnets, networks = neutron_rows(ctx)
    problems = []
    if driver_name == "internal":
        session = ctx.session
        held = {(s.neutron_subnet_id, a.ip_address)
                for a, s in session.query(internal_models.IpamAllocation, internal_models.IpamSubnet).filter(
                    internal_models.IpamAllocation.ipam_subnet_id == internal_models.IpamSubnet.id)}
        for key in sorted(set(rows) - held):
            problems.append(f"Neutron's {key} not held by the driver")
        for key in sorted(held - set(rows)):
            problems.append(f"the driver holds {key}, Neutron has no row for it")
        return problems
    c = admin_client()
    for (subnet_id, address), port in sorted(rows.items()):
        owner = c.owner(subnet_id, address)
        if owner != port:
            problems.append(f"Neutron's {address} of subnet {subnet_id} is port {port}'s, ipam's owner: {owner}")
    counts = {}
    for (subnet_id, _), _ in rows.items():
        counts[subnet_id] = counts.get(subnet_id, 0) + 1
    for subnet_id, subnet in subnets.items():
        try:
            held = c.subnet(subnet_id)
        except Exception as e:
            problems.append(f"Neutron's subnet {subnet_id} is not in ipam: {e}")
            continue
        allocated = held.allocated
        pools = sorted((str(p.first_ip), str(p.last_ip)) for p in subnet.allocation_pools)
        if sorted((r.first, r.last) for r in held.pools) != pools:
            problems.append(f"subnet {subnet_id}: ipam's pools {[(r.first, r.last) for r in held.pools]}, "
                            f"Neutron's {pools}")
        if allocated != counts.get(subnet_id, 0):
            problems.append(f"subnet {subnet_id}: ipam holds {allocated} addresses, Neutron has "
                            f"{counts.get(subnet_id, 0)} rows")
    tenants = {"net-" + n for n in networks}
    for s in c.subnets():  # nothing of these networks that Neutron does not have (a create rolled back)
        if s.tenant in tenants and s.id not in subnets:
            problems.append(f"ipam holds subnet {s.id} ({s.cidr}) of {s.tenant}; Neutron has no such subnet")
    return problems
