"""Neutron pluggable IPAM driver backed by ``ipam serve``.

Registered as ``ipam`` in the ``neutron.ipam_drivers`` entry-point group; enable it with
``[DEFAULT] ipam_driver = ipam`` and point ``[ipam] server`` at the server (see ``config.py``).

How Neutron's objects map onto ipam's:

- A Neutron subnet is an ipam subnet with the same id, the same CIDR, gateway and allocation pools, strategy
  RANDOM (spread over the whole pool, unpredictable). Its ipam tenant is ``net-<network id>``: ipam refuses
  overlapping subnets within a tenant, Neutron within a network, so the two rules agree.
- The owner of every address is the Neutron port id; every allocation carries a request key, a fresh one
  per driver call (``neutron:<request id>:<random>``), which the driver re-sends when it retries the call
  after a transport failure: the server answers a repeated key with the first answer, so a retry never
  allocates twice. A key is never reused for a new call, because Neutron's own retry of an API request
  first rolls back (``needs_rollback()`` is true) what the failed attempt allocated.
- Subnet pools: Neutron keeps subnet pools, their prefixes and quotas in its own database and never tells an
  IPAM driver when one is created, changed or deleted, so, like the reference driver, the choice of a CIDR
  from a subnet pool is made by Neutron's ``SubnetAllocator`` (under its subnet-pool row lock); the subnet
  it picks is then created in ipam like any other.

Errors are Neutron's, raised where the reference driver (``neutrondb_ipam``) raises them:
ipam ``EXHAUSTED`` is ``IpAddressGenerationFailure`` (``IpAddressGenerationFailureAllSubnets`` from a
group), ``ADDRESS_TAKEN`` ``IpAddressAlreadyAllocated``, ``ADDRESS_INVALID`` ``InvalidIpForSubnet``,
``SUBNET_NOT_FOUND`` ``SubnetNotFound``; subnet definition errors are ``InvalidSubnetRequest``; a server
that cannot be reached, is overloaded or refuses the token is ``IpamServerError`` (HTTP 503).
"""

from __future__ import annotations

import os
import string
import threading
import time
import uuid
from typing import Dict, List, Optional, Sequence, Tuple

import grpc
import netaddr
from neutron_lib import constants
from neutron_lib import exceptions as n_exc
from neutron_lib.api import validators
from oslo_config import cfg
from oslo_log import log

from ipam_client import Client, IpamError, pb
from neutron.ipam import driver as ipam_base
from neutron.ipam import exceptions as ipam_exc
from neutron.ipam import requests as ipam_req
from neutron.ipam import subnet_alloc
from neutron.ipam import utils as ipam_utils

from ipam_neutron import config

LOG = log.getLogger(__name__)
config.register()

KEY_FIELD = "request_key"
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "._:-")


class IpamServerError(n_exc.ServiceUnavailable):
    """The ipam server could not be reached or refused a call for a reason that is not the request's fault."""

    message = "ipam server call %(method)s failed: %(reason)s"


# ----- connection --------------------------------------------------------------------------------------------

_clients: Dict[tuple, Client] = {}
_clients_lock = threading.Lock()


def client(conf: cfg.ConfigOpts = cfg.CONF) -> Client:
    """The process-wide client for the current ``[ipam]`` settings (one channel per distinct setting)."""
    group = conf.ipam
    try:
        server = config.validate_server(group.server)
    except ValueError as e:
        raise IpamServerError(method="connect", reason=str(e)) from None
    ca = group.tls_ca_file
    # the pid: neutron-server forks its API workers, and a gRPC channel does not survive a fork
    key = (os.getpid(), server, group.token, ca, group.timeout)
    with _clients_lock:
        c = _clients.get(key)
        if c is None:
            roots = None
            if ca:
                try:
                    with open(ca, "rb") as f:
                        roots = f.read()
                except OSError as e:
                    raise IpamServerError(method="connect", reason=f"[ipam] tls_ca_file {ca!r}: {e}") from None
            c = Client(server, token=group.token or None, root_certificates=roots, timeout=group.timeout)
            _clients[key] = c
        return c


def reset_clients() -> None:
    """Close every cached channel (tests; a config reload)."""
    with _clients_lock:
        for (pid, *_), c in _clients.items():
            if pid == os.getpid():
                c.close()
        _clients.clear()


def supports_request_keys(message_class=pb.AllocateRequest) -> bool:
    """Whether the server's API (the generated messages) has the ``request_key`` field."""
    return KEY_FIELD in message_class.DESCRIPTOR.fields_by_name


def new_request_key(context) -> str:
    """A key for one driver call: the Neutron request id (for tracing) and 128 random bits."""
    rid = getattr(context, "request_id", None) or "none"
    rid = "".join(ch for ch in str(rid) if ch in _KEY_CHARS)[:60]
    return f"neutron:{rid}:{uuid.uuid4().hex}"


def with_key(message, key: Optional[str]):
    """Set the request key on a message when the API has the field; return whether it was set."""
    if key is not None and KEY_FIELD in message.DESCRIPTOR.fields_by_name:
        setattr(message, KEY_FIELD, key)
        return True
    return False


def call(method: str, request, *, allocates: bool = False, conf: cfg.ConfigOpts = cfg.CONF):
    """One call, retried on UNAVAILABLE / DEADLINE_EXCEEDED / OVERLOADED up to ``[ipam] retries`` times.

    An allocation is retried only when it carries a request key (the server then answers the retry with
    the first answer); without one a retry after a lost answer could allocate a second address.
    Raises :class:`IpamError` (the caller maps it) once the attempts are used up; its ``retried`` is true
    when an earlier attempt may have been applied (its answer was lost).
    """
    keyed = allocates and bool(getattr(request, KEY_FIELD, ""))
    attempts = 1 + conf.ipam.retries if (not allocates or keyed) else 1
    c = client(conf)
    for attempt in range(attempts):
        try:
            return c.call(method, request)
        except IpamError as e:
            e.retried = attempt > 0
            retry = e.status in _RETRYABLE or e.code == "OVERLOADED"
            if not retry or attempt + 1 >= attempts:
                raise
            LOG.debug("ipam %s failed (%s), attempt %d of %d", method, e, attempt + 1, attempts)
            time.sleep(min(0.05 * 2 ** attempt, 1.0))


# ----- errors ------------------------------------------------------------------------------------------------

def _server_error(method: str, e: IpamError) -> IpamServerError:
    return IpamServerError(method=method, reason=str(e))


def _subnet_error(method: str, e: IpamError, subnet_id: str) -> Exception:
    """Errors of subnet definition calls (create, update, delete)."""
    if e.code == "SUBNET_NOT_FOUND":
        return n_exc.SubnetNotFound(subnet_id=subnet_id)
    if e.code in ("SUBNET_EXISTS", "SUBNET_OVERLAP", "MALFORMED", "CIDR_INVALID", "POOL_INVALID",
                  "POOL_OUT_OF_BOUNDS", "POOL_OVERLAP", "GATEWAY_INVALID", "GATEWAY_IN_POOL", "GATEWAY_IN_USE",
                  "LIMIT_EXCEEDED"):
        return ipam_exc.InvalidSubnetRequest(reason=f"ipam {e.code}: {e.message}")
    return _server_error(method, e)


def _address_error(method: str, e: IpamError, subnet_id: str, ip: Optional[str]) -> Exception:
    """Errors of allocation calls, as the reference driver raises them."""
    if e.code == "EXHAUSTED":
        return ipam_exc.IpAddressGenerationFailure(subnet_id=subnet_id)
    if e.code == "ADDRESS_TAKEN":
        return ipam_exc.IpAddressAlreadyAllocated(subnet_id=subnet_id, ip=ip)
    if e.code == "ADDRESS_INVALID":
        return ipam_exc.InvalidIpForSubnet(subnet_id=subnet_id, ip=ip)
    if e.code == "SUBNET_NOT_FOUND":
        return n_exc.SubnetNotFound(subnet_id=subnet_id)
    if e.code in ("MALFORMED", "BULK_TOO_LARGE", "LIMIT_EXCEEDED"):
        return n_exc.InvalidInput(error_message=f"ipam {e.code}: {e.message}")
    return _server_error(method, e)


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
        return request


class SubnetRequestFactory(ipam_req.SubnetRequestFactory):
    """Neutron's subnet requests, with the network id and whether the gateway was given attached."""

    @classmethod
    def get_request(cls, context, subnet, subnetpool):
        request = super().get_request(context, subnet, subnetpool)
        _annotate(request, subnet)
        return request


def _annotate(request, subnet) -> None:
    request.ipam_network_id = subnet.get("network_id")
    gw = subnet.get("gateway_ip", constants.ATTR_NOT_SPECIFIED)
    request.ipam_gateway_given = gw is None or validators.is_attr_set(gw)


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


def _ranges(pools, version: int) -> List[pb.IpRange]:
    return [pb.IpRange(first=str(netaddr.IPAddress(r.first, version)), last=str(netaddr.IPAddress(r.last, version)))
            for r in pools]


def _ipam_gateway(gateway, cidr) -> Optional[netaddr.IPAddress]:
    """The gateway to give ipam: Neutron's, except an IPv6 gateway on the subnet-router anycast address.

    Neutron accepts the network address of an IPv6 subnet as its gateway; ipam refuses it (GATEWAY_INVALID,
    SPEC 1) because ipam never hands that address out anyway (it is not in any pool and a specific request
    for it is ADDRESS_INVALID). Such a subnet is kept in ipam without a gateway: nothing can take the address
    either way.
    """
    if gateway is None:
        return None
    gateway = netaddr.IPAddress(gateway)
    cidr = netaddr.IPNetwork(cidr)
    if cidr.version == 6 and gateway == cidr.network and cidr.prefixlen < 127:
        return None
    return gateway


def _set_gateway(req, gateway) -> None:
    if gateway is None:
        req.no_gateway = True
    else:
        req.gateway = str(gateway)


def _tenant(network_id: Optional[str], subnet_id: str) -> str:
    return f"net-{network_id}" if network_id else f"subnet-{subnet_id}"


def _created_by_a_lost_try(e: IpamError, req: pb.CreateSubnetRequest) -> Optional[pb.Subnet]:
    """After a retried CreateSubnet is SUBNET_EXISTS: the subnet, if it is the one an earlier try created."""
    if e.code != "SUBNET_EXISTS" or not getattr(e, "retried", False):
        return None
    try:
        info = call("GetSubnet", pb.GetSubnetRequest(subnet_id=req.id))
    except IpamError:
        return None
    same = (info.cidr == str(netaddr.IPNetwork(req.cidr)) and info.tenant == req.tenant
            and [(r.first, r.last) for r in info.pools] == [(r.first, r.last) for r in req.pools])
    return info if same else None


# ----- subnets -----------------------------------------------------------------------------------------------

class IpamSubnet(ipam_base.Subnet):
    """One Neutron subnet, held by the server; addresses are allocated and released there."""

    def __init__(self, context, info: pb.Subnet, project_id=None, gateway=constants.ATTR_NOT_SPECIFIED):
        self._context = context
        self._info = info
        self._project_id = project_id
        self._cidr = netaddr.IPNetwork(info.cidr)
        # Neutron's gateway when it differs from what ipam keeps (see _ipam_gateway)
        self._gateway = gateway

    @property
    def subnet_id(self) -> str:
        return self._info.id

    def _allocate(self, request: pb.AllocateRequest, ip: Optional[str]) -> List[str]:
        with_key(request, new_request_key(self._context))
        try:
            return list(call("Allocate", request, allocates=True).addresses)
        except IpamError as e:
            raise _address_error("Allocate", e, self.subnet_id, ip) from None

    def allocate(self, address_request):
        """Allocate one address; returns it as text (as the reference driver does)."""
        owner = _owner(address_request)
        req = pb.AllocateRequest(subnet_id=self.subnet_id, owner=owner)
        ip = None
        if isinstance(address_request, ipam_req.SpecificAddressRequest):
            ip = str(address_request.address)
            mac = getattr(address_request, "ipam_mac", None)
            if (isinstance(address_request, ipam_req.AutomaticAddressRequest) and mac
                    and self._cidr.version == 6 and self._cidr.prefixlen == 64):
                req.mac = str(mac)  # the server computes the same modified EUI-64 address
            else:
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
        try:
            call("Release", pb.ReleaseRequest(subnet_id=self.subnet_id, address=str(netaddr.IPAddress(address))))
        except IpamError as e:
            if e.code == "SUBNET_NOT_FOUND":
                raise n_exc.SubnetNotFound(subnet_id=self.subnet_id) from None
            if e.code == "ADDRESS_INVALID":
                # the reference driver deletes no row and raises nothing for an address it does not hold
                LOG.warning("deallocate: %s is not an address of subnet %s", address, self.subnet_id)
                return
            raise _server_error("Release", e) from None

    def get_details(self):
        version = self._cidr.version
        if self._gateway is not constants.ATTR_NOT_SPECIFIED:
            gateway = self._gateway
        else:
            gateway = self._info.gateway if self._info.HasField("gateway") else None
        pools = [netaddr.IPRange(netaddr.IPAddress(r.first, version), netaddr.IPAddress(r.last, version))
                 for r in self._info.pools]
        return ipam_req.SpecificSubnetRequest(self._project_id, self.subnet_id, self._cidr, gateway_ip=gateway,
                                              allocation_pools=pools, set_gateway_ip=gateway is not None)


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
        req = pb.AllocatePortRequest(owner=_owner(address_request), items=[
            pb.AddressRequest(any_of=pb.SubnetGroup(subnet_ids=self._subnet_ids))])
        with_key(req, new_request_key(self._pool._context))
        try:
            allocation = call("AllocatePort", req, allocates=True).allocations[0]
        except IpamError as e:
            if e.code == "EXHAUSTED":
                raise ipam_exc.IpAddressGenerationFailureAllSubnets() from None
            if e.code == "SUBNET_NOT_FOUND":
                missing = next((s for s in self._subnet_ids if s in e.message), self._subnet_ids[0])
                raise n_exc.SubnetNotFound(subnet_id=missing) from None
            raise _address_error("AllocatePort", e, self._subnet_ids[0], None) from None
        return allocation.address, allocation.subnet_id


class IpamPool(subnet_alloc.SubnetAllocator):
    """The driver: Neutron makes one per request (``Pool.get_instance(subnetpool, context)``)."""

    def get_address_request_factory(self):
        return AddressRequestFactory

    def get_subnet_request_factory(self):
        return SubnetRequestFactory

    def needs_rollback(self):
        return True

    def get_allocator(self, subnet_ids):
        return IpamSubnetGroup(self, subnet_ids)

    def get_subnet(self, subnet_id):
        try:
            info = call("GetSubnet", pb.GetSubnetRequest(subnet_id=subnet_id))
        except IpamError as e:
            if e.code == "SUBNET_NOT_FOUND":
                raise n_exc.SubnetNotFound(subnet_id=subnet_id) from None
            raise _server_error("GetSubnet", e) from None
        return IpamSubnet(self._context, info)

    def allocate_subnet(self, subnet_request):
        network_id = getattr(subnet_request, "ipam_network_id", None)
        if self._subnetpool:
            # Neutron's subnet-pool allocator chooses the CIDR in Neutron's database (see the module doc)
            subnet_request = super().allocate_subnet(subnet_request).get_details()
        if not isinstance(subnet_request, ipam_req.SpecificSubnetRequest):
            raise ipam_exc.InvalidSubnetRequestType(subnet_type=type(subnet_request))
        cidr = subnet_request.subnet_cidr
        gateway = subnet_request.gateway_ip
        pools = subnet_request.allocation_pools
        if pools is None:
            pools = ipam_utils.generate_pools(cidr, gateway)
        req = pb.CreateSubnetRequest(id=subnet_request.subnet_id, cidr=str(cidr.cidr),
                                     pools=_ranges(pools, cidr.version), strategy=pb.RANDOM,
                                     tenant=_tenant(network_id, subnet_request.subnet_id))
        _set_gateway(req, _ipam_gateway(gateway, cidr))
        try:
            info = call("CreateSubnet", req)
        except IpamError as e:
            info = _created_by_a_lost_try(e, req)
            if info is None:
                raise _subnet_error("CreateSubnet", e, subnet_request.subnet_id) from None
        return IpamSubnet(self._context, info, project_id=subnet_request.project_id, gateway=gateway)

    def update_subnet(self, subnet_request):
        """Follow a subnet update: allocation pools and gateway (and a prefix-delegation CIDR change)."""
        if not subnet_request.subnet_id:
            raise ipam_exc.InvalidSubnetRequest(reason="An identifier must be specified when updating a subnet")
        subnet_id = subnet_request.subnet_id
        current = self.get_subnet(subnet_id)
        info = current._info
        version = current._cidr.version
        new_cidr = getattr(subnet_request, "subnet_cidr", None)
        if new_cidr is not None and new_cidr != current._cidr:
            return self._replace(current, subnet_request)

        old_gw = netaddr.IPAddress(info.gateway) if info.HasField("gateway") else None
        gateway_given = getattr(subnet_request, "ipam_gateway_given", False)
        new_gw = _ipam_gateway(subnet_request.gateway_ip, current._cidr) if gateway_given else old_gw
        pools = subnet_request.allocation_pools
        old_pools = [netaddr.IPRange(r.first, r.last) for r in info.pools]
        pools_change = pools is not None and [(r.first, r.last) for r in pools] != \
            [(r.first, r.last) for r in old_pools]
        gw_change = new_gw != old_gw
        if not pools_change and not gw_change:
            return current

        def set_gateway(gw):
            req = pb.UpdateGatewayRequest(subnet_id=subnet_id)
            if gw is not None:
                req.gateway = str(gw)
            return call("UpdateGateway", req)

        def set_pools():
            return call("UpdatePools", pb.UpdatePoolsRequest(subnet_id=subnet_id, pools=_ranges(pools, version)))

        # ipam keeps the gateway out of the pools at every step: order the two changes so that each holds
        try:
            if not gw_change:
                info = set_pools()
            elif not pools_change:
                info = set_gateway(new_gw)
            elif new_gw is None or not any(new_gw in r for r in old_pools):
                set_gateway(new_gw)
                info = set_pools()
            elif old_gw is None or not any(old_gw in r for r in pools):
                set_pools()
                info = set_gateway(new_gw)
            else:
                set_gateway(None)
                set_pools()
                info = set_gateway(new_gw)
        except IpamError as e:
            raise _subnet_error("UpdateSubnet", e, subnet_id) from None
        gateway = subnet_request.gateway_ip if gateway_given else constants.ATTR_NOT_SPECIFIED
        return IpamSubnet(self._context, info, project_id=subnet_request.project_id, gateway=gateway)

    def _replace(self, current: IpamSubnet, subnet_request):
        """A prefix-delegation subnet got its real CIDR: the old one's addresses mean nothing any more."""
        info = current._info
        self.remove_subnet(info.id)
        cidr = subnet_request.subnet_cidr
        pools = subnet_request.allocation_pools or ipam_utils.generate_pools(cidr, subnet_request.gateway_ip)
        req = pb.CreateSubnetRequest(id=info.id, cidr=str(cidr.cidr), pools=_ranges(pools, cidr.version),
                                     strategy=pb.RANDOM, tenant=info.tenant or _tenant(None, info.id))
        _set_gateway(req, _ipam_gateway(subnet_request.gateway_ip, cidr))
        try:
            return IpamSubnet(self._context, call("CreateSubnet", req), project_id=subnet_request.project_id,
                              gateway=subnet_request.gateway_ip)
        except IpamError as e:
            raise _subnet_error("CreateSubnet", e, info.id) from None

    def remove_subnet(self, subnet_id):
        try:
            call("DeleteSubnet", pb.DeleteSubnetRequest(subnet_id=subnet_id, force=True))
        except IpamError as e:
            if e.code == "SUBNET_NOT_FOUND" and getattr(e, "retried", False):
                return  # an earlier try deleted it and its answer was lost
            if e.code == "SUBNET_NOT_FOUND":
                LOG.error("IPAM subnet referenced to Neutron subnet %s does not exist", subnet_id)
                raise n_exc.SubnetNotFound(subnet_id=subnet_id) from None
            raise _server_error("DeleteSubnet", e) from None
