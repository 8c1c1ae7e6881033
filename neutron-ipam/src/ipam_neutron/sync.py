"""``ipam neutron sync``: ipam made to hold exactly Neutron's ``ipallocations``, subnet by subnet, while Neutron serves.

Neutron's API tables are the truth (module doc of :mod:`ipam_neutron.importer`). For each Neutron subnet that ipam
holds, one ``ReconcileSubnet`` call (one step of ipam's writer) compares ipam with the subnet's rows, address ->
port: an allocation Neutron has no row for and made at least ``grace`` ago is released; a row whose address is
free in ipam is allocated to its port; an address ipam gives another owner (since at least ``grace`` ago) is
given to Neutron's port. A dry run (the default) changes nothing and prints what a repair would do.

Safe while Neutron serves:

- an allocation younger than ``grace`` is left alone: a port being created holds its address in ipam before its
  row is committed (the driver allocates inside Neutron's transaction);
- a repair re-reads the subnet's rows just before it acts, and again after: an address it allocated or re-owned
  for a port whose row went in between (the port deleted meanwhile) is released again, owner named, so a repair
  never leaves an address held for a port that does not hold it in Neutron;
- releases name their owner, so the driver's own deferred release of the same address (after Neutron's commit)
  can never free it from a port that took it since.

Subnets are not repaired, only reported: a Neutron subnet ipam does not hold (``ipam neutron import`` creates it),
a subnet of Neutron's networks that Neutron does not have, and pools or a gateway that differ.

No Neutron import here: SQLAlchemy Core and the client only (this runs as a command).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import netaddr
import sqlalchemy as sa

from ipam_client import Client, IpamError, pb
from ipam_neutron import importer
from ipam_neutron import mapping


@dataclass
class SubnetSync:
    id: str
    cidr: str
    released: List[Tuple[str, str]] = field(default_factory=list)    # (address, owner ipam had)
    allocated: List[Tuple[str, str]] = field(default_factory=list)   # (address, Neutron's port)
    reowned: List[Tuple[str, str]] = field(default_factory=list)     # (address, Neutron's port)
    undone: List[Tuple[str, str]] = field(default_factory=list)      # repairs released again: the row went
    error: str = ""

    @property
    def differs(self) -> bool:
        return bool(self.released or self.allocated or self.reowned or self.error)


@dataclass
class SyncReport:
    subnets: List[SubnetSync]
    missing: List[str]          # Neutron subnets ipam does not hold
    extra: List[str]            # ipam subnets of Neutron's networks that Neutron does not have (a placeholder's
                                # pd-<id> tenant names no network: one ipam may serve other clients too)
    definitions: List[str]      # pools or gateway differing
    applied: bool
    seconds: float

    @property
    def in_step(self) -> bool:
        return not (any(s.differs for s in self.subnets) or self.missing or self.extra or self.definitions)

    def to_dict(self) -> dict:
        def pairs(items):
            return [{"address": a, "owner": o} for a, o in items]
        return {
            "in_step": self.in_step, "applied": self.applied, "seconds": round(self.seconds, 3),
            "subnets": len(self.subnets),
            "released": sum(len(s.released) for s in self.subnets),
            "allocated": sum(len(s.allocated) for s in self.subnets),
            "reowned": sum(len(s.reowned) for s in self.subnets),
            "undone": sum(len(s.undone) for s in self.subnets),
            "differences": [{"subnet": s.id, "cidr": s.cidr, "released": pairs(s.released),
                             "allocated": pairs(s.allocated), "reowned": pairs(s.reowned),
                             "undone": pairs(s.undone), "error": s.error}
                            for s in self.subnets if s.differs or s.undone],
            "missing_in_ipam": self.missing, "extra_in_ipam": self.extra, "definitions": self.definitions,
        }


def _canonical(address: str) -> str:
    return str(netaddr.IPAddress(address))


def subnet_rows(engine: sa.engine.Engine, subnet_id: str) -> Dict[str, str]:
    """address -> port id of one subnet's ``ipallocations`` rows (read now)."""
    with engine.connect() as conn:
        return {_canonical(r.ip_address): r.port_id for r in conn.execute(
            sa.text("SELECT ip_address, port_id FROM ipallocations WHERE subnet_id = :s"), {"s": subnet_id})}


def _pairs(allocations) -> List[Tuple[str, str]]:
    return [(a.address, a.owner) for a in allocations]


def _release(client: Client, subnet_id: str, address: str, owner: str) -> bool:
    try:
        return client.call("Release", pb.ReleaseRequest(subnet_id=subnet_id, address=address, owner=owner)).released
    except IpamError as e:
        if e.code in ("OWNER_MISMATCH", "SUBNET_NOT_FOUND"):
            return False  # someone else holds it now, or the subnet went: nothing of ours to undo
        raise


def _sync_subnet(client: Client, engine: sa.engine.Engine, s: importer.NeutronSubnet, grace_ms: int,
                 apply: bool) -> SubnetSync:
    result = SubnetSync(s.id, s.cidr)
    expected = {_canonical(a): p for a, p in s.allocations}
    try:
        seen = client.reconcile_subnet(s.id, expected, grace_ms=grace_ms, dry_run=True)
        if apply and (seen.released or seen.allocated or seen.reowned):
            expected = subnet_rows(engine, s.id)  # Neutron keeps serving: its rows as they are now
            seen = client.reconcile_subnet(s.id, expected, grace_ms=grace_ms, dry_run=False)
            after = subnet_rows(engine, s.id)
            for a in list(seen.allocated) + list(seen.reowned):
                if after.get(_canonical(a.address)) != a.owner and _release(client, s.id, a.address, a.owner):
                    result.undone.append((a.address, a.owner))  # the port's row went meanwhile
    except IpamError as e:
        result.error = f"{e.code}: {e.message}"
        return result
    result.released, result.allocated, result.reowned = (_pairs(seen.released), _pairs(seen.allocated),
                                                          _pairs(seen.reowned))
    return result


def _definition(info: pb.Subnet, s: importer.NeutronSubnet) -> Optional[str]:
    pools = [(str(netaddr.IPAddress(f)), str(netaddr.IPAddress(l))) for f, l in s.pools]
    held = [(r.first, r.last) for r in info.pools]
    gateway = mapping.ipam_gateway(s.gateway_ip, s.cidr)
    held_gw = netaddr.IPAddress(info.gateway) if info.HasField("gateway") else None
    problems = []
    if held != pools:
        problems.append(f"pools {held} in ipam, {pools} in Neutron")
    if held_gw != gateway and not mapping.legacy_anycast_gateway(held_gw, s.gateway_ip, s.cidr):
        problems.append(f"gateway {held_gw} in ipam, {s.gateway_ip} in Neutron")
    return f"subnet {s.id} ({s.cidr}): " + "; ".join(problems) if problems else None


def run_sync(client: Client, engine: sa.engine.Engine, grace_ms: int, apply: bool) -> SyncReport:
    began = time.monotonic()
    state = importer.read_neutron(engine)
    with engine.connect() as conn:
        networks = [r.id for r in conn.execute(sa.text("SELECT id FROM networks"))]
    held = {s.id: s for s in client.subnets()}
    results, missing, definitions = [], [], []
    for s in state.subnets:
        info = held.get(s.id)
        if info is None:
            missing.append(f"subnet {s.id} ({s.cidr}) of network {s.network_id}")
            continue
        problem = _definition(info, s)
        if problem:
            definitions.append(problem)
        results.append(_sync_subnet(client, engine, s, grace_ms, apply))
    neutron_ids = {s.id for s in state.subnets}
    tenants = {"net-" + n for n in networks}
    extra = [f"subnet {i} ({info.cidr}) in {info.tenant}" for i, info in sorted(held.items())
             if i not in neutron_ids and info.tenant in tenants]
    return SyncReport(results, missing, extra, definitions, apply, time.monotonic() - began)
