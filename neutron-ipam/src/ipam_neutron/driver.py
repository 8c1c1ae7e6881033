"""Neutron pluggable IPAM driver backed by ``ipam serve``.

Registered as ``ipam`` in the ``neutron.ipam_drivers`` entry-point group; enable it with
``[DEFAULT] ipam_driver = ipam`` and point ``[ipam] server`` at the server (see ``config.py``).

How Neutron's objects map onto ipam's (:mod:`ipam_neutron.mapping`): a Neutron subnet is an ipam subnet with the
same id, CIDR, gateway and pools, strategy RANDOM, in tenant ``net-<network id>`` (a prefix-delegation placeholder
in ``pd-<subnet id>`` until its prefix arrives); the owner of every address is the Neutron port id.

Transactions (:mod:`ipam_neutron.journal`, design in docs/neutron.md): inside a Neutron transaction an allocation,
a subnet create and a subnet update are made at once and undone if the transaction rolls back; a release and a
subnet delete are applied only after it commits. Every allocation carries a fresh request key
(``neutron:<request id>:<random>``): a retry of the call after a lost answer re-sends it and gets the first
answer; the rollback of an allocation whose answer never came re-sends it to learn what to release. A key is
never reused across Neutron's own retries of a request: those are new requests (a retried create even carries a
new port id), and the server would answer a reused key with the rolled-back attempt's address. Every release
names its owner: the port that allocated it in this transaction, else Neutron's row in the session, else the
holder ipam reports when Neutron asks (so a retried release can never free an address given to another port
since).

``needs_rollback()`` stays true: Neutron then also calls the driver to give back what a failed step took; inside a
transaction those calls only adjust the journal (a revert of an allocation is a release deferred to a commit
that will not come; a revert of a release cancels it), and if a caller catches the failure and commits anyway
they are exactly the releases that commit needs.

Errors are Neutron's, raised where the reference driver (``neutrondb_ipam``) raises them (``remote.py``).
"""

from __future__ import annotations

import uuid
from typing import List, Optional, Sequence, Tuple

import netaddr
from neutron_lib import constants
from neutron_lib import exceptions as n_exc
from neutron_lib.api import validators
from oslo_log import log

from ipam_client import IpamError, pb
from neutron.ipam import driver as ipam_base
from neutron.ipam import exceptions as ipam_exc
from neutron.ipam import requests as ipam_req
from neutron.ipam import subnet_alloc
from neutron.ipam import utils as ipam_utils

from ipam_neutron import journal
from ipam_neutron import mapping
from ipam_neutron.remote import (  # noqa: F401  (the names tests and callers use through this module)
    KEY_FIELD, IpamServerError, address_error, call, client, new_request_key, outcome_unknown, reset_clients,
    server_error, subnet_error, supports_request_keys, with_key)

LOG = log.getLogger(__name__)


# ----- request factories: carry what Neutron knows but the driver interface does not pass ----------------

def _port_id(port) -> Optional[str]:
    if port is None:
        return None
    try:
        value = port["id"]
    except (KeyError, TypeError, AttributeError):
        value = getattr(port, "id", None)
    return str(value) if value else None


class AddressRequestFactory(ipam_req.AddressRequestFactory):
    """Neutron's requests, with the port id (the owner) and, for EUI-64, the MAC attached."""

    @classmethod
    def get_request(cls, context, port, ip_dict):
        request = super().get_request(context, port, ip_dict)
        request.ipam_owner = _port_id(port)
        if ip_dict.get("eui64_address"):
            request.ipam_mac = ip_dict.get("mac")
            request.ipam_cidr = ip_dict.get("subnet_cidr")
        return request


class SubnetRequestFactory(ipam_req.SubnetRequestFactory):
    """Neutron's subnet requests, with the network id and whether the gateway was given attached."""

    @classmethod
    def get_request(cls, context, subnet, subnetpool):
        request = super().get_request(context, subnet, subnetpool)
        request.ipam_network_id = subnet.get("network_id")
        gw = subnet.get("gateway_ip", constants.ATTR_NOT_SPECIFIED)
        request.ipam_gateway_given = gw is None or validators.is_attr_set(gw)
        return request


def _owner(address_request) -> str:
    owner = getattr(address_request, "ipam_owner", None)
    if owner is None:
        # Neutron always builds requests through get_address_request_factory(); a request made elsewhere
        # has no port: give it an owner of its own so that it is still tracked (and releasable by address)
        owner = str(uuid.uuid4())
        LOG.debug("address request without a port: owner %s", owner)
    try:
        return str(uuid.UUID(owner))
    except ValueError:
        raise n_exc.InvalidInput(error_message=f"port id {owner!r} is not a UUID: ipam owners are UUIDs")


# ----- journal entries ---------------------------------------------------------------------------------------

class Allocated(journal.Entry):
    """Addresses taken for ``owner`` by one keyed call; ``taken`` None while the answer is unknown (lost)."""

    def __init__(self, method: str, request, owner: str):
        self.method, self.request, self.owner = method, request, owner
        self.taken: Optional[List[Tuple[str, str]]] = None  # (subnet id, address)

    def holds(self, subnet_id: str, address: str) -> bool:
        return self.taken is not None and (subnet_id, address) in self.taken

    def commit(self) -> None:
        if self.taken is None:  # the call failed for Neutron, which therefore recorded nothing of it
            self.rollback()

    def rollback(self) -> None:
        if self.taken is None:
            try:  # the same key: the server answers with what the lost call took, or takes it now
                self.taken = _taken(self.request, call(self.method, self.request, allocates=True))
            except IpamError as e:
                if outcome_unknown(e):
                    raise
                return  # refused: the lost call took nothing either (a failed request leaves no key)
        for subnet_id, address in self.taken:
            release(subnet_id, address, self.owner)

    def describe(self) -> str:
        return f"releasing {self.taken or 'the answer of ' + self.method} of port {self.owner}"


class Released(journal.Entry):
    """An address Neutron gave up: released after the commit."""

    def __init__(self, subnet_id: str, address: str, owner: str):
        self.subnet_id, self.address, self.owner = subnet_id, address, owner

    def commit(self) -> None:
        release(self.subnet_id, self.address, self.owner)

    def describe(self) -> str:
        return f"releasing {self.address} of subnet {self.subnet_id} (port {self.owner})"


def _taken(request, answer) -> List[Tuple[str, str]]:
    """(subnet id, address) of each address an answer gives."""
    if isinstance(request, pb.AllocatePortRequest):
        return [(a.subnet_id, a.address) for a in answer.allocations]
    return [(request.subnet_id, a) for a in answer.addresses]


def release(subnet_id: str, address: str, owner: str) -> bool:
    """Release with the owner named; a retried release that finds another owner finds its own work done."""
    try:
        return call("Release", pb.ReleaseRequest(subnet_id=subnet_id, address=address, owner=owner)).released
    except IpamError as e:
        if e.code == "OWNER_MISMATCH" and getattr(e, "retried", False):
            return True  # the first try released it and its answer was lost; someone else holds it now
        if e.code in ("SUBNET_NOT_FOUND", "ADDRESS_INVALID"):
            return False  # nothing of that port there (the reference driver raises nothing either)
        if e.code == "OWNER_MISMATCH":
            LOG.warning("ipam: %s of subnet %s is held by another port than %s; left as it is",
                        address, subnet_id, owner)
            return False
        raise


# ----- subnets -----------------------------------------------------------------------------------------------

class IpamSubnet(ipam_base.Subnet):
    """One Neutron subnet, held by the server; made without a call (the subnet is read when its details are)."""

    def __init__(self, context, subnet_id: str, info: Optional[pb.Subnet] = None, project_id=None,
                 gateway=constants.ATTR_NOT_SPECIFIED):
        self._context = context
        self._id = subnet_id
        self._info = info
        self._project_id = project_id
        self._gateway = gateway  # Neutron's gateway, when known (it may differ from ipam's: mapping.ipam_gateway)

    @property
    def subnet_id(self) -> str:
        return self._id

    def info(self) -> pb.Subnet:
        if self._info is None:
            try:
                self._info = call("GetSubnet", pb.GetSubnetRequest(subnet_id=self._id))
            except IpamError as e:
                raise subnet_error("GetSubnet", e, self._id) from None
        return self._info

    # -- allocation

    def _allocate(self, request: pb.AllocateRequest, ip: Optional[str]) -> List[str]:
        with_key(request, new_request_key(self._context))
        entry = Allocated("Allocate", request, request.owner)
        journaled = journal.add(self._context, entry)
        try:
            answer = call("Allocate", request, allocates=True)
        except IpamError as e:
            if not outcome_unknown(e):
                journal.remove(self._context, entry)  # refused: nothing was taken
            elif not journaled:
                _undo_now(entry)
            raise address_error("Allocate", e, self.subnet_id, ip) from None
        entry.taken = [(self.subnet_id, a) for a in answer.addresses]
        return list(answer.addresses)

    def _take_back(self, address: str, owner: str) -> bool:
        """Neutron re-allocating an address it released in this transaction: the pending release is cancelled."""
        for entry in journal.entries(self._context):
            if isinstance(entry, Released) and (entry.subnet_id, entry.address) == (self.subnet_id, address):
                if entry.owner == owner:
                    journal.remove(self._context, entry)
                    return True
                # another port takes it in the same transaction: release now, give it back if Neutron rolls back
                journal.remove(self._context, entry)
                release(entry.subnet_id, entry.address, entry.owner)
                back = pb.AllocateRequest(subnet_id=entry.subnet_id, owner=entry.owner, address=entry.address)
                journal.add(self._context, journal.Compensated(
                    lambda: call("Allocate", back), f"giving {address} back to port {entry.owner}"))
        return False

    def allocate(self, address_request):
        """Allocate one address; returns it as text (as the reference driver does)."""
        owner = _owner(address_request)
        req = pb.AllocateRequest(subnet_id=self.subnet_id, owner=owner)
        ip = None
        if isinstance(address_request, ipam_req.SpecificAddressRequest):
            ip = str(address_request.address)
            if self._take_back(ip, owner):
                return ip
            mac = getattr(address_request, "ipam_mac", None)
            cidr = getattr(address_request, "ipam_cidr", None)
            cidr = netaddr.IPNetwork(str(cidr)) if cidr else None
            if (isinstance(address_request, ipam_req.AutomaticAddressRequest) and mac and cidr is not None
                    and cidr.version == 6 and cidr.prefixlen == 64):
                req.mac = str(mac)  # the server computes the same modified EUI-64 address
            else:
                # FOLLOW-UP (issue 22): with router() once the server has it, for a port whose device_owner is in
                # Neutron's ROUTER_PORT_OWNERS or empty ([ipam] strict_anycast = true: routers only)
                req.address = ip
        elif isinstance(address_request, ipam_req.BulkAddressRequest):
            raise n_exc.InvalidInput(error_message="a bulk request needs bulk_allocate")
        elif isinstance(address_request, ipam_req.PreferNextAddressRequest):
            req.next = True
        # AnyAddressRequest and anything else (RouterGatewayAddressRequest): any, by the subnet's strategy
        return self._allocate(req, ip)[0]

    def bulk_allocate(self, address_request):
        """A list of addresses: ``num_addresses`` of them, all or nothing, for a BulkAddressRequest."""
        if not isinstance(address_request, ipam_req.BulkAddressRequest):
            return [self.allocate(address_request)]
        n = address_request.num_addresses
        if not isinstance(n, int) or n < 1:
            raise n_exc.InvalidInput(error_message=f"bulk request of {n!r} addresses: needs 1 or more")
        req = pb.AllocateRequest(subnet_id=self.subnet_id, owner=_owner(address_request), count=n)
        return self._allocate(req, None)

    def deallocate(self, address):
        address = str(netaddr.IPAddress(address))
        owner = self._owner_of(address)
        if owner is None:
            LOG.debug("deallocate: %s of subnet %s is free in ipam", address, self.subnet_id)
            return
        if not journal.add(self._context, Released(self.subnet_id, address, owner)):
            release(self.subnet_id, address, owner)

    def _owner_of(self, address: str) -> Optional[str]:
        """The port whose address Neutron releases (see the module doc for the order)."""
        for entry in journal.entries(self._context):
            if isinstance(entry, Allocated) and entry.holds(self.subnet_id, address):
                return entry.owner
        owner = _session_owner(self._context, self.subnet_id, address)
        if owner is not None:
            return owner
        try:
            r = call("GetOwner", pb.GetOwnerRequest(subnet_id=self.subnet_id, address=address))
        except IpamError as e:
            if e.code == "SUBNET_NOT_FOUND":
                raise n_exc.SubnetNotFound(subnet_id=self.subnet_id) from None
            if e.code in ("ADDRESS_INVALID", "MALFORMED"):
                LOG.warning("deallocate: %s is not an address of subnet %s", address, self.subnet_id)
                return None
            raise server_error("GetOwner", e) from None
        return r.owner if r.HasField("owner") else None

    def get_details(self):
        info = self.info()
        cidr = netaddr.IPNetwork(info.cidr)
        project_id, gateway = self._project_id, self._gateway
        if gateway is constants.ATTR_NOT_SPECIFIED or project_id is None:
            row = _neutron_subnet(self._context, self._id)
            if row is not None:
                project_id = project_id if project_id is not None else row.project_id
                if gateway is constants.ATTR_NOT_SPECIFIED:
                    gateway = str(row.gateway_ip) if row.gateway_ip else None
        if gateway is constants.ATTR_NOT_SPECIFIED:
            gateway = info.gateway if info.HasField("gateway") else None
        pools = [netaddr.IPRange(netaddr.IPAddress(r.first, cidr.version), netaddr.IPAddress(r.last, cidr.version))
                 for r in info.pools]
        return ipam_req.SpecificSubnetRequest(project_id, self._id, cidr, gateway_ip=gateway,
                                              allocation_pools=pools, set_gateway_ip=gateway is not None)


def _session_owner(context, subnet_id: str, address: str) -> Optional[str]:
    """The port of Neutron's ``ipallocations`` row for the address among the transaction's loaded objects."""
    session = journal.session_of(context)
    if session is None:
        return None
    from neutron.db import models_v2
    candidates = list(session.deleted) + list(session.identity_map.values())
    for obj in candidates:
        if isinstance(obj, models_v2.IPAllocation) and obj.subnet_id == subnet_id:
            try:
                if netaddr.IPAddress(obj.ip_address) == netaddr.IPAddress(address):
                    return obj.port_id
            except (netaddr.AddrFormatError, TypeError):
                continue
    return None


def _neutron_subnet(context, subnet_id: str):
    """Neutron's own subnet row (project and gateway as Neutron keeps them), or None without a database."""
    try:
        from neutron.objects import subnet as obj_subnet
        return obj_subnet.Subnet.get_object(context, id=subnet_id)
    except Exception as e:  # no database in this process (the driver used on its own)
        LOG.debug("no Neutron subnet row for %s: %s", subnet_id, e)
        return None


def _undo_now(entry: journal.Entry) -> None:
    try:
        entry.rollback()
    except Exception as e:
        LOG.error("ipam: %s was left undone: %s", entry.describe(), e)


class IpamSubnetGroup(ipam_base.SubnetGroup):
    """The subnets of one network for one address: falls through to the next subnet only on exhaustion."""

    def __init__(self, pool: "IpamPool", subnet_ids: Sequence[str]):
        self._pool = pool
        self._subnet_ids = list(subnet_ids)

    def allocate(self, address_request):
        if type(address_request) is ipam_req.AnyAddressRequest or \
                isinstance(address_request, ipam_req.RouterGatewayAddressRequest):
            return self._allocate_any_of(address_request)
        for subnet_id in self._subnet_ids:
            try:
                return self._pool.get_subnet(subnet_id).allocate(address_request), subnet_id
            except ipam_exc.IpAddressGenerationFailure:
                continue
        raise ipam_exc.IpAddressGenerationFailureAllSubnets()

    def _allocate_any_of(self, address_request) -> Tuple[str, str]:
        """One call: the server tries the subnets in order and falls through on EXHAUSTED only."""
        context = self._pool._context
        req = pb.AllocatePortRequest(owner=_owner(address_request), items=[
            pb.AddressRequest(any_of=pb.SubnetGroup(subnet_ids=self._subnet_ids))])
        with_key(req, new_request_key(context))
        entry = Allocated("AllocatePort", req, req.owner)
        journaled = journal.add(context, entry)
        try:
            answer = call("AllocatePort", req, allocates=True)
        except IpamError as e:
            if not outcome_unknown(e):
                journal.remove(context, entry)
            elif not journaled:
                _undo_now(entry)
            if e.code == "EXHAUSTED":
                raise ipam_exc.IpAddressGenerationFailureAllSubnets() from None
            if e.code == "SUBNET_NOT_FOUND":
                missing = next((s for s in self._subnet_ids if s in e.message), self._subnet_ids[0])
                raise n_exc.SubnetNotFound(subnet_id=missing) from None
            raise address_error("AllocatePort", e, self._subnet_ids[0], None) from None
        entry.taken = _taken(req, answer)
        allocation = answer.allocations[0]
        return allocation.address, allocation.subnet_id


# ----- the pool: subnets ---------------------------------------------------------------------------------------

def _delete(subnet_id: str) -> None:
    try:
        call("DeleteSubnet", pb.DeleteSubnetRequest(subnet_id=subnet_id, force=True))
    except IpamError as e:
        if e.code != "SUBNET_NOT_FOUND":
            raise


def _compensate(context, undo, what: str) -> journal.Entry:
    """Journal an undo for work about to be done; outside a transaction the caller undoes a failure itself."""
    entry = journal.Compensated(undo, what)
    entry.journaled = journal.add(context, entry)
    return entry


def _failed(entry: journal.Entry) -> None:
    """Work with an undo failed: inside a transaction its rollback undoes it, outside it is undone now."""
    if not entry.journaled:
        _undo_now(entry)


def _gateway_of(info: pb.Subnet) -> Optional[netaddr.IPAddress]:
    return netaddr.IPAddress(info.gateway) if info.HasField("gateway") else None


def _define(subnet_id: str, info: pb.Subnet, pools: Optional[List[pb.IpRange]], new_gw, gw_change: bool):
    """Move a subnet to ``pools`` (None: as they are) and ``new_gw``, ordered so that ipam's rule (the gateway in
    no pool) holds at every step: three steps when the new gateway is in the old pools and the old one in the new.

    FOLLOW-UP (issue 22): one UpdateSubnet call (pools and gateway checked together) once the server has it.
    """
    old_gw = _gateway_of(info)
    old_pools = [netaddr.IPRange(r.first, r.last) for r in info.pools]
    pools_change = pools is not None and [(r.first, r.last) for r in pools] != [(r.first, r.last) for r in info.pools]
    gw_change = gw_change and new_gw != old_gw
    new_ranges = [netaddr.IPRange(r.first, r.last) for r in pools] if pools is not None else old_pools

    def set_gateway(gw):
        req = pb.UpdateGatewayRequest(subnet_id=subnet_id)
        if gw is not None:
            req.gateway = str(gw)
        return call("UpdateGateway", req)

    def set_pools():
        return call("UpdatePools", pb.UpdatePoolsRequest(subnet_id=subnet_id, pools=pools))

    if not pools_change and not gw_change:
        return info
    if not gw_change:
        return set_pools()
    if not pools_change:
        return set_gateway(new_gw)
    if new_gw is None or not any(new_gw in r for r in old_pools):
        set_gateway(new_gw)
        return set_pools()
    if old_gw is None or not any(old_gw in r for r in new_ranges):
        set_pools()
        return set_gateway(new_gw)
    set_gateway(None)
    set_pools()
    return set_gateway(new_gw)


def _restore(subnet_id: str, pools: List[pb.IpRange], gateway) -> None:
    now = call("GetSubnet", pb.GetSubnetRequest(subnet_id=subnet_id))
    _define(subnet_id, now, list(pools), gateway, True)


def _create(req: pb.CreateSubnetRequest, empty_pools: bool) -> pb.Subnet:
    """CreateSubnet (a retry after a lost answer that finds the same subnet takes it as created)."""
    try:
        info = call("CreateSubnet", req)
    except IpamError as e:
        info = None
        if e.code == "SUBNET_EXISTS" and getattr(e, "retried", False):
            try:
                held = call("GetSubnet", pb.GetSubnetRequest(subnet_id=req.id))
                info = held if mapping.same_definition(held, req) else None
            except IpamError:
                info = None
        if info is None:
            raise
    if empty_pools and info.pools:
        info = call("UpdatePools", pb.UpdatePoolsRequest(subnet_id=req.id))
    return info


class IpamPool(subnet_alloc.SubnetAllocator):
    """The driver: Neutron makes one per request (``Pool.get_instance(subnetpool, context)``)."""

    def get_address_request_factory(self):
        return AddressRequestFactory

    def get_subnet_request_factory(self):
        return SubnetRequestFactory

    def needs_rollback(self):
        return True  # see the module doc: inside a transaction Neutron's reverts only adjust the journal

    def get_allocator(self, subnet_ids):
        return IpamSubnetGroup(self, subnet_ids)

    def get_subnet(self, subnet_id):
        """The subnet, without a call: it is read from ipam (and Neutron) when its details are asked for."""
        return IpamSubnet(self._context, subnet_id)

    def allocate_subnet(self, subnet_request):
        network_id = getattr(subnet_request, "ipam_network_id", None)
        if not subnet_request.subnet_id:  # a request without an id (not from Neutron's API layer) is given one
            subnet_request._subnet_id = str(uuid.uuid4())
        if self._subnetpool:
            # Neutron's subnet-pool allocator chooses the CIDR in Neutron's database (see the README)
            subnet_request = super().allocate_subnet(subnet_request).get_details()
        if not isinstance(subnet_request, ipam_req.SpecificSubnetRequest):
            raise ipam_exc.InvalidSubnetRequestType(subnet_type=type(subnet_request))
        subnet_id = subnet_request.subnet_id
        cidr = subnet_request.subnet_cidr
        gateway = subnet_request.gateway_ip
        pools = subnet_request.allocation_pools
        if pools is None:
            pools = ipam_utils.generate_pools(cidr, gateway)
        req = mapping.create_request(subnet_id, cidr, gateway, mapping.ranges([(r.first, r.last) for r in pools],
                                                                              cidr.version), network_id)
        entry = _compensate(self._context, lambda: _delete(subnet_id), f"deleting subnet {subnet_id}")
        try:
            info = _create(req, empty_pools=not pools)
        except IpamError as e:
            if outcome_unknown(e):
                _failed(entry)  # it may exist: delete it now, or when the transaction rolls back
            else:
                journal.remove(self._context, entry)  # refused: nothing was created (SUBNET_EXISTS is not ours)
            raise subnet_error("CreateSubnet", e, subnet_id) from None
        return IpamSubnet(self._context, subnet_id, info, project_id=subnet_request.project_id, gateway=gateway)

    def update_subnet(self, subnet_request):
        """Follow a subnet update: allocation pools and gateway (and a prefix-delegation CIDR change)."""
        if not subnet_request.subnet_id:
            raise ipam_exc.InvalidSubnetRequest(reason="An identifier must be specified when updating a subnet")
        subnet_id = subnet_request.subnet_id
        current = self.get_subnet(subnet_id)
        info = current.info()
        cidr = netaddr.IPNetwork(info.cidr)
        new_cidr = getattr(subnet_request, "subnet_cidr", None)
        if new_cidr is not None and new_cidr != cidr:
            return self._replace(current, subnet_request)
        gateway_given = getattr(subnet_request, "ipam_gateway_given", False)
        new_gw = mapping.ipam_gateway(subnet_request.gateway_ip, cidr) if gateway_given else _gateway_of(info)
        pools = subnet_request.allocation_pools
        pools = mapping.ranges([(r.first, r.last) for r in pools], cidr.version) if pools is not None else None
        old_pools, old_gw = list(info.pools), _gateway_of(info)
        entry = _compensate(self._context, lambda: _restore(subnet_id, old_pools, old_gw),
                            f"restoring the pools and gateway of subnet {subnet_id}")
        try:
            info = _define(subnet_id, info, pools, new_gw, gateway_given)
        except IpamError as e:
            _failed(entry)
            raise subnet_error("UpdateSubnet", e, subnet_id) from None
        gateway = subnet_request.gateway_ip if gateway_given else constants.ATTR_NOT_SPECIFIED
        return IpamSubnet(self._context, subnet_id, info, project_id=subnet_request.project_id, gateway=gateway)

    def _replace(self, current: IpamSubnet, subnet_request):
        """A prefix-delegation subnet got its real prefix: the placeholder's addresses mean nothing any more.

        The placeholder (``::/64``, its own tenant) is deleted and the subnet created again with the same id in
        its network's tenant. If Neutron rolls back, the placeholder comes back with the addresses Neutron's rows
        give its ports.
        """
        old = current.info()
        subnet_id = old.id
        network_id = getattr(subnet_request, "ipam_network_id", None)
        row = _neutron_subnet(self._context, subnet_id)
        if network_id is None and row is not None:
            network_id = row.network_id
        held = _neutron_allocations(self._context, subnet_id)
        again = pb.CreateSubnetRequest(id=subnet_id, cidr=old.cidr, pools=list(old.pools), strategy=old.strategy,
                                       tenant=old.tenant)
        _set_gateway(again, _gateway_of(old))

        def undo():
            _delete(subnet_id)
            _create(again, empty_pools=not old.pools)
            for address, port in held:
                call("Allocate", pb.AllocateRequest(subnet_id=subnet_id, owner=port, address=address))

        entry = _compensate(self._context, undo, f"putting back the placeholder of subnet {subnet_id}")
        cidr = subnet_request.subnet_cidr
        pools = subnet_request.allocation_pools or ipam_utils.generate_pools(cidr, subnet_request.gateway_ip)
        req = mapping.create_request(subnet_id, cidr, subnet_request.gateway_ip,
                                     mapping.ranges([(r.first, r.last) for r in pools], cidr.version), network_id)
        try:
            _delete(subnet_id)
            info = _create(req, empty_pools=False)
        except IpamError as e:
            _failed(entry)
            raise subnet_error("CreateSubnet", e, subnet_id) from None
        return IpamSubnet(self._context, subnet_id, info, project_id=subnet_request.project_id,
                          gateway=subnet_request.gateway_ip)

    def remove_subnet(self, subnet_id):
        """Delete the subnet; inside a transaction after it commits (the subnet is checked to exist now)."""
        if journal.session_of(self._context) is not None:
            self.get_subnet(subnet_id).info()  # SubnetNotFound now, as the reference driver raises it
            journal.add(self._context, journal.Deferred(lambda: _delete(subnet_id), f"deleting subnet {subnet_id}"))
            return
        try:
            call("DeleteSubnet", pb.DeleteSubnetRequest(subnet_id=subnet_id, force=True))
        except IpamError as e:
            if e.code == "SUBNET_NOT_FOUND" and getattr(e, "retried", False):
                return  # an earlier try deleted it and its answer was lost
            if e.code == "SUBNET_NOT_FOUND":
                LOG.error("IPAM subnet referenced to Neutron subnet %s does not exist", subnet_id)
                raise n_exc.SubnetNotFound(subnet_id=subnet_id) from None
            raise server_error("DeleteSubnet", e) from None


def _set_gateway(req, gateway) -> None:
    if gateway is None:
        req.no_gateway = True
    else:
        req.gateway = str(gateway)


def _neutron_allocations(context, subnet_id: str) -> List[Tuple[str, str]]:
    """(address, port id) of Neutron's ``ipallocations`` rows of a subnet; empty without a database."""
    try:
        from neutron.objects import ports as port_obj
        return [(str(a.ip_address), a.port_id) for a in port_obj.IPAllocation.get_objects(context,
                                                                                          subnet_id=subnet_id)]
    except Exception as e:
        LOG.debug("no Neutron allocation rows for %s: %s", subnet_id, e)
        return []
