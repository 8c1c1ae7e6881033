"""Build ipam from a Neutron database, and give Neutron's internal driver its tables back.

``import``: every Neutron subnet (``subnets``, ``ipallocationpools``) becomes the ipam subnet the driver would have
made (:mod:`ipam_neutron.mapping`), every row of ``ipallocations`` an allocation of its address to its port. The
API tables are the truth whichever IPAM driver ran (Neutron's own migration ``3b935b28e7a0`` rebuilds its
driver's tables from them for that reason). Idempotent: a subnet already in ipam with the same definition is
kept; each address is allocated with a request key made from (subnet, address, port), so a second run gets the
first answers back and changes nothing (the server's change sequence does not move). Subnets of a subnet pool
are checked to lie in one of the pool's prefixes (Neutron keeps subnet pools; the driver never mirrors them).
The check after the import: each subnet holds in ipam exactly as many addresses as Neutron has rows for it.

``restore-internal``: rebuilds the internal driver's ``ipamsubnets``, ``ipamallocationpools`` and
``ipamallocations`` from the API tables, as migration ``3b935b28e7a0`` does, for going back to
``ipam_driver = internal``.

No Neutron import: SQLAlchemy Core and the client only (this runs as a command).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import grpc
import netaddr
import sqlalchemy as sa

from ipam_client import Client, IpamError, pb
from ipam_neutron import mapping

KEY_PREFIX = "neutron-import:"


@dataclass
class NeutronSubnet:
    id: str
    network_id: str
    cidr: str
    gateway_ip: Optional[str]
    ip_version: int
    subnetpool_id: Optional[str]
    pools: List[Tuple[str, str]] = field(default_factory=list)
    allocations: List[Tuple[str, str]] = field(default_factory=list)  # (address, port id)


@dataclass
class NeutronState:
    subnets: List[NeutronSubnet]
    subnetpools: Dict[str, List[str]]  # id -> prefixes
    ports: int


def read_neutron(engine: sa.engine.Engine) -> NeutronState:
    """The API tables, in three queries (plus two for subnet pools)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT id, network_id, cidr, gateway_ip, ip_version, subnetpool_id FROM subnets ORDER BY id")).all()
        subnets = {r.id: NeutronSubnet(r.id, r.network_id, r.cidr, r.gateway_ip, int(r.ip_version), r.subnetpool_id)
                   for r in rows}
        for r in conn.execute(sa.text("SELECT subnet_id, first_ip, last_ip FROM ipallocationpools")):
            if r.subnet_id in subnets:
                subnets[r.subnet_id].pools.append((r.first_ip, r.last_ip))
        ports = set()
        for r in conn.execute(sa.text("SELECT subnet_id, ip_address, port_id FROM ipallocations")):
            if r.subnet_id in subnets:
                subnets[r.subnet_id].allocations.append((r.ip_address, r.port_id))
                ports.add(r.port_id)
        pools: Dict[str, List[str]] = {}
        for r in conn.execute(sa.text("SELECT id FROM subnetpools")):
            pools[r.id] = []
        for r in conn.execute(sa.text("SELECT subnetpool_id, cidr FROM subnetpoolprefixes")):
            pools.setdefault(r.subnetpool_id, []).append(r.cidr)
    for s in subnets.values():
        s.pools.sort(key=lambda p: int(netaddr.IPAddress(p[0])))
    return NeutronState(list(subnets.values()), pools, len(ports))


def request_key(subnet_id: str, address: str, port_id: str) -> str:
    """The import's key for one address (module doc): the same on every run, at most 128 characters."""
    digest = hashlib.sha256(f"{subnet_id}|{address}|{port_id}".encode()).hexdigest()[:48]
    return KEY_PREFIX + digest


@dataclass
class SubnetResult:
    id: str
    cidr: str
    state: str = ""        # created | present | refused | different
    reason: str = ""
    neutron: int = 0       # ipallocations rows
    ipam: Optional[int] = None  # addresses ipam holds after the import
    problems: List[str] = field(default_factory=list)


@dataclass
class ImportReport:
    subnets: List[SubnetResult]
    subnetpools: int
    pool_warnings: List[str]
    allocations: int
    ports: int
    changes: int
    seconds: float

    @property
    def ok(self) -> bool:
        return all(s.state in ("created", "present") and s.ipam == s.neutron and not s.problems
                   for s in self.subnets)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok, "subnets": len(self.subnets),
            "created": sum(s.state == "created" for s in self.subnets),
            "present": sum(s.state == "present" for s in self.subnets),
            "refused": sum(s.state in ("refused", "different") for s in self.subnets),
            "allocations": self.allocations, "ports": self.ports, "subnetpools": self.subnetpools,
            "changes": self.changes, "seconds": round(self.seconds, 3),
            "mismatched": [{"subnet": s.id, "cidr": s.cidr, "state": s.state, "reason": s.reason,
                            "neutron": s.neutron, "ipam": s.ipam, "problems": s.problems[:10]}
                           for s in self.subnets
                           if not (s.state in ("created", "present") and s.ipam == s.neutron and not s.problems)],
            "pool_warnings": self.pool_warnings,
        }


def _check_subnetpools(state: NeutronState) -> List[str]:
    warnings = []
    for s in state.subnets:
        if not s.subnetpool_id or s.subnetpool_id == "prefix_delegation":
            continue
        prefixes = state.subnetpools.get(s.subnetpool_id)
        if prefixes is None:
            warnings.append(f"subnet {s.id} ({s.cidr}) names subnet pool {s.subnetpool_id}, which does not exist")
            continue
        net = netaddr.IPNetwork(s.cidr)
        if not any(net in netaddr.IPNetwork(p) for p in prefixes):
            warnings.append(f"subnet {s.id} ({s.cidr}) lies in none of subnet pool {s.subnetpool_id}'s prefixes")
    return warnings


def _ensure_subnet(client: Client, held: Dict[str, pb.Subnet], s: NeutronSubnet, result: SubnetResult) -> None:
    req = mapping.create_request(s.id, s.cidr, s.gateway_ip, mapping.ranges(s.pools, s.ip_version), s.network_id)
    empty = not s.pools
    info = held.get(s.id)
    if info is not None:
        if mapping.same_definition(info, req, empty_pools=empty):
            result.state = "present"
        else:
            result.state = "different"
            result.reason = (f"ipam already holds subnet {s.id} as {info.cidr} in tenant {info.tenant} with another "
                             f"definition than Neutron's")
        return
    try:
        client.call("CreateSubnet", req)
        if empty:
            client.call("UpdatePools", pb.UpdatePoolsRequest(subnet_id=s.id))
        result.state = "created"
    except IpamError as e:
        result.state = "refused"
        result.reason = str(e)


BATCH = 2500
THREADS = 4  # calls in flight at once: the server's writer applies them in turn, the rest overlaps


def _wide(cidr: str) -> bool:
    """An IPv6 subnet shorter than /64: batches do not reach it (the server answers MALFORMED), single calls do."""
    net = netaddr.IPNetwork(cidr)
    return net.version == 6 and net.prefixlen < 64


def _allocate(client: Client, todo: List[Tuple[SubnetResult, str, str]]) -> None:
    """Every (subnet, address, port) of subnets that exist, in batches (one call each on a wide subnet); problems
    noted on the subnet."""
    single = [t for t in todo if _wide(t[0].cidr)]
    todo = [t for t in todo if not _wide(t[0].cidr)]
    chunks = [todo[start:start + BATCH] for start in range(0, len(todo), BATCH)]

    def request(r, address, port):
        return pb.AllocateRequest(subnet_id=r.id, owner=port, address=address,
                                  request_key=request_key(r.id, address, port))

    def send(chunk):
        ops = [pb.BatchOp(allocate=request(*t)) for t in chunk]
        return client.call("Batch", pb.BatchRequest(ops=ops)).results

    def send_one(t):
        try:
            client.call("Allocate", request(*t))
            return pb.BatchResult(allocated=pb.AllocateResponse())
        except IpamError as e:
            if e.code is None or e.status in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise  # as a failed batch call: the command reports the server unreachable
            return pb.BatchResult(error=pb.Error(code=pb.ErrorCode.Value(e.code), message=e.message))

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(send, chunks))
        chunks.append(single)
        answers.append(list(pool.map(send_one, single)))
    for chunk, results in zip(chunks, answers):
        for (r, address, port), res in zip(chunk, results):
            if res.WhichOneof("result") == "allocated":
                continue
            code = pb.ErrorCode.Name(res.error.code)
            if code == "ADDRESS_TAKEN":
                owner = client.owner(r.id, address)
                if owner == port:
                    continue  # held by its port already (an earlier import, or the driver)
                r.problems.append(f"{address}: Neutron's port {port}, ipam's owner {owner}")
            else:
                r.problems.append(f"{address} (port {port}): {code}: {res.error.message}")


def run_import(client: Client, state: NeutronState) -> ImportReport:
    began = time.monotonic()
    before = client.call("LastSequence", pb.LastSequenceRequest()).sequence
    held = {s.id: s for s in client.subnets()}
    todo = []
    results = [SubnetResult(s.id, s.cidr, neutron=len(s.allocations)) for s in state.subnets]
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda pair: _ensure_subnet(client, held, *pair), zip(state.subnets, results)))
    for s, r in zip(state.subnets, results):
        if r.state in ("created", "present"):
            for address, port in s.allocations:
                try:
                    uuid.UUID(port)
                except ValueError:
                    r.problems.append(f"{address}: port id {port!r} is not a UUID")
                    continue
                todo.append((r, str(netaddr.IPAddress(address)), port))
    _allocate(client, todo)
    counts = {s.id: s.allocated for s in client.subnets()}
    for r in results:
        r.ipam = counts.get(r.id)
    after = client.call("LastSequence", pb.LastSequenceRequest()).sequence
    return ImportReport(results, len(state.subnetpools), _check_subnetpools(state),
                        sum(len(s.allocations) for s in state.subnets), state.ports, after - before,
                        time.monotonic() - began)


def restore_internal(engine: sa.engine.Engine) -> Dict[str, int]:
    """Rebuild the internal driver's tables from the API tables in one transaction (migration 3b935b28e7a0)."""
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM ipamallocations"))
        conn.execute(sa.text("DELETE FROM ipamallocationpools"))
        conn.execute(sa.text("DELETE FROM ipamsubnets"))
        ids = {}
        rows = []
        for (subnet_id,) in conn.execute(sa.text("SELECT id FROM subnets")):
            ids[subnet_id] = str(uuid.uuid4())
            rows.append({"id": ids[subnet_id], "neutron_subnet_id": subnet_id})
        if rows:
            conn.execute(sa.text("INSERT INTO ipamsubnets (id, neutron_subnet_id) VALUES (:id, :neutron_subnet_id)"),
                         rows)
        pools = [{"id": str(uuid.uuid4()), "s": ids[r.subnet_id], "f": r.first_ip, "l": r.last_ip}
                 for r in conn.execute(sa.text("SELECT subnet_id, first_ip, last_ip FROM ipallocationpools"))
                 if r.subnet_id in ids]
        if pools:
            conn.execute(sa.text("INSERT INTO ipamallocationpools (id, ipam_subnet_id, first_ip, last_ip) "
                                 "VALUES (:id, :s, :f, :l)"), pools)
        allocations = [{"a": r.ip_address, "s": ids[r.subnet_id]}
                       for r in conn.execute(sa.text("SELECT subnet_id, ip_address FROM ipallocations"))
                       if r.subnet_id in ids]
        if allocations:
            conn.execute(sa.text("INSERT INTO ipamallocations (ip_address, status, ipam_subnet_id) "
                                 "VALUES (:a, 'ALLOCATED', :s)"), allocations)
    return {"subnets": len(rows), "pools": len(pools), "allocations": len(allocations)}
