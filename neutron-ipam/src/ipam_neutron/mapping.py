"""How a Neutron subnet is held in ipam: one rule for the driver and for ``ipam neutron import``.

No Neutron import here: the import command runs with SQLAlchemy and the client only.

- Tenant: ``net-<network id>``. ipam refuses overlapping subnets within a tenant, Neutron within a network, so the
  two rules agree. A prefix-delegation placeholder (CIDR ``::/64`` until the prefix arrives) is in a tenant of its
  own, ``pd-<subnet id>``: every placeholder of a network has the same CIDR, and Neutron allows several.
- Gateway: Neutron's, as given: an IPv6 subnet created without a gateway gets its network address (the
  subnet-router anycast address) from Neutron, and ipam keeps it (SPEC 1). A driver before issue 22 kept no
  gateway in ipam for those (:func:`legacy_anycast_gateway`): such a subnet still counts as the same definition.
- Pools: Neutron's; a subnet with none is created and then given an empty pool list (``CreateSubnet`` with no
  pools means the default pools).
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Tuple

import netaddr

from ipam_client import pb

PD_PREFIX = "::/64"          # neutron_lib.constants.PROVISIONAL_IPV6_PD_PREFIX


def is_pd_placeholder(cidr) -> bool:
    """A prefix-delegation subnet still waiting for its prefix (Neutron gives it ``::/64`` until then)."""
    return str(netaddr.IPNetwork(str(cidr)).cidr) == PD_PREFIX


def tenant(network_id: Optional[str], subnet_id: str, cidr) -> str:
    """The ipam tenant of a Neutron subnet (module doc)."""
    if is_pd_placeholder(cidr):
        return f"pd-{subnet_id}"
    return f"net-{network_id}" if network_id else f"subnet-{subnet_id}"


def ipam_gateway(gateway, cidr) -> Optional[netaddr.IPAddress]:
    """The gateway to give ipam: Neutron's as given (an IPv6 network address included, SPEC 1)."""
    if gateway is None or gateway == "":
        return None
    return netaddr.IPAddress(str(gateway))


def legacy_anycast_gateway(held, gateway, cidr) -> bool:
    """Whether ipam holds no gateway where Neutron has the IPv6 subnet's network address: what the driver did
    before the server took that gateway (issue 22); the driver and ``get_details`` then report Neutron's."""
    if held is not None or gateway is None or gateway == "":
        return False
    net = netaddr.IPNetwork(str(cidr))
    return net.version == 6 and netaddr.IPAddress(str(gateway)) == net.network


def ranges(pools: Iterable[Tuple[object, object]], version: int) -> List[pb.IpRange]:
    """``pb.IpRange`` of (first, last) pairs given as text or integers."""
    return [pb.IpRange(first=str(netaddr.IPAddress(first if isinstance(first, int) else str(first), version)),
                       last=str(netaddr.IPAddress(last if isinstance(last, int) else str(last), version)))
            for first, last in pools]


def create_request(subnet_id: str, cidr, gateway, pools: Optional[Sequence[pb.IpRange]],
                   network_id: Optional[str]) -> pb.CreateSubnetRequest:
    """The CreateSubnet request for a Neutron subnet; ``pools`` None: ipam's defaults for the gateway."""
    net = netaddr.IPNetwork(str(cidr))
    req = pb.CreateSubnetRequest(id=subnet_id, cidr=str(net.cidr), pools=list(pools or ()), strategy=pb.RANDOM,
                                 tenant=tenant(network_id, subnet_id, net))
    gw = ipam_gateway(gateway, net)
    if gw is None:
        req.no_gateway = True
    else:
        req.gateway = str(gw)
    return req


def same_definition(info: pb.Subnet, req: pb.CreateSubnetRequest, empty_pools: bool = False) -> bool:
    """Whether a subnet held by ipam is the one ``req`` (plus emptied pools) would create (a subnet an older
    driver made without Neutron's IPv6 anycast gateway counts as the same: :func:`legacy_anycast_gateway`)."""
    pools = [] if empty_pools else [(r.first, r.last) for r in req.pools]
    gateway = None if req.no_gateway else (req.gateway if req.HasField("gateway") else None)
    held_gateway = info.gateway if info.HasField("gateway") else None
    if pools or empty_pools:
        if [(r.first, r.last) for r in info.pools] != pools:
            return False
    if held_gateway is None and legacy_anycast_gateway(None, gateway, req.cidr):
        gateway = None
    return (info.cidr == req.cidr and info.tenant == req.tenant
            and (gateway is None or held_gateway == gateway) and (gateway is not None or held_gateway is None))
