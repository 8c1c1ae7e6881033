"""A Python client of ``ipam serve`` (the gRPC API in proto/ipam/v1/ipam.proto).

The generated messages and stubs are ``ipam.v1.ipam_pb2`` and ``ipam.v1.ipam_pb2_grpc``; :class:`Client` wraps
the stub with a bearer token, a per-call timeout and :class:`IpamError`, which carries the ipam error code
(name and number) that the server puts in the status details (a ``google.rpc.ErrorInfo``, domain "ipam.io").
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, Optional, Sequence

import grpc
from google.rpc import error_details_pb2, status_pb2

from ipam.v1 import ipam_pb2 as pb
from ipam.v1 import ipam_pb2_grpc
from ipam_client.tls import credentials as tls_credentials
from ipam_client.tls import warn_if_plaintext_token

__all__ = ["Client", "IpamError", "ipam_error", "NEAREST", "pb"]

DOMAIN = "ipam.io"
_DETAILS_KEY = "grpc-status-details-bin"


class IpamError(Exception):
    """A failed call: the gRPC status code, and the ipam code when the server gave one."""

    def __init__(self, status: grpc.StatusCode, message: str, code: Optional[str], number: int,
                 nearest: bool = False):
        super().__init__(f"{code}: server answered {status.name}: {message}" if nearest
                         else f"{code or status.name}: {message}")
        self.status = status
        self.message = message
        self.code = code  # e.g. "EXHAUSTED"; the nearest code when the status carries none (FORBIDDEN, ...)
        self.number = number  # e.g. 9


# A status without an ipam ErrorInfo comes from the transport or the server's front door: the nearest ipam code,
# as the Java client gives it (docs/grpc.md, "Errors"); anything else is INTERNAL.
NEAREST = {
    grpc.StatusCode.UNAVAILABLE: ("STORE_IO", 25),  # not reached: down, or a TLS handshake that failed
    grpc.StatusCode.DEADLINE_EXCEEDED: ("OVERLOADED", 23),  # retry later
    grpc.StatusCode.RESOURCE_EXHAUSTED: ("LIMIT_EXCEEDED", 29),  # gRPC's message-size bound: do not retry as is
    grpc.StatusCode.UNAUTHENTICATED: ("FORBIDDEN", 30),
    grpc.StatusCode.PERMISSION_DENIED: ("FORBIDDEN", 30),
}


def ipam_error(error: grpc.RpcError) -> IpamError:
    """Turn a failed call into an :class:`IpamError`, reading the ErrorInfo from the status details; a status
    without one gets the nearest ipam code (:data:`NEAREST`, else INTERNAL)."""
    code, number = None, 0
    for key, value in (error.trailing_metadata() or ()):
        if key != _DETAILS_KEY:
            continue
        status = status_pb2.Status.FromString(value)
        for any_detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if any_detail.Is(info.DESCRIPTOR) and any_detail.Unpack(info) and info.domain == DOMAIN:
                code, number = info.reason, int(info.metadata.get("code", "0"))
    if code is None:
        code, number = NEAREST.get(error.code(), ("INTERNAL", 28))
        return IpamError(error.code(), error.details() or "", code, number, nearest=True)
    return IpamError(error.code(), error.details() or "", code, number)


class Client:
    """One channel to a server. Thread-safe as grpc channels are; use as a context manager or call close()."""

    def __init__(self, target: str, token: Optional[str] = None, root_certificates: Optional[bytes] = None,
                 timeout: float = 30.0, max_receive_bytes: int = 64 * 1024 * 1024, *, tls: Optional[bool] = None,
                 certificate_chain: Optional[bytes] = None, private_key: Optional[bytes] = None):
        """TLS when ``tls`` is True or certificates are given: ``root_certificates`` (PEM) or else the system's
        trust store (:func:`ipam_client.tls.system_roots`), and a client certificate (``certificate_chain`` and
        ``private_key``, PEM) for a server that requires one. A token sent in plaintext beyond loopback warns."""
        options = [("grpc.max_receive_message_length", max_receive_bytes)]
        creds = tls_credentials(tls, root_certificates, certificate_chain, private_key)
        warn_if_plaintext_token(target, token, creds)
        if creds is not None:
            self._channel = grpc.secure_channel(target, creds, options=options)
        else:
            self._channel = grpc.insecure_channel(target, options=options)
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self._timeout = timeout
        self.stub = ipam_pb2_grpc.IpamServiceStub(self._channel)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def call(self, method: str, request):
        """Call any unary method of the stub by name, raising :class:`IpamError` on failure."""
        try:
            return getattr(self.stub, method)(request, timeout=self._timeout, metadata=self._metadata)
        except grpc.RpcError as e:
            raise ipam_error(e) from None

    # ----- subnets ---------------------------------------------------------------------------------------------

    def create_subnet(self, subnet_id: str, cidr: str, gateway: Optional[str] = None, no_gateway: bool = False,
                      pools: Sequence[tuple] = (), lowest: bool = False, tenant: Optional[str] = None,
                      cooldown_ms: int = 0) -> pb.Subnet:
        req = pb.CreateSubnetRequest(id=subnet_id, cidr=cidr, no_gateway=no_gateway,
                                     pools=[pb.IpRange(first=f, last=l) for f, l in pools],
                                     strategy=pb.LOWEST if lowest else pb.RANDOM, cooldown_ms=cooldown_ms)
        if gateway is not None:
            req.gateway = gateway
        if tenant is not None:
            req.tenant = tenant
        return self.call("CreateSubnet", req)

    def subnet(self, subnet_id: str) -> pb.Subnet:
        return self.call("GetSubnet", pb.GetSubnetRequest(subnet_id=subnet_id))

    def subnets(self) -> List[pb.Subnet]:
        return list(self.call("ListSubnets", pb.ListSubnetsRequest()).subnets)

    def delete_subnet(self, subnet_id: str, force: bool = False) -> None:
        self.call("DeleteSubnet", pb.DeleteSubnetRequest(subnet_id=subnet_id, force=force))

    _UNCHANGED = object()

    def update_subnet(self, subnet_id: str, *, pools: Optional[Sequence[tuple]] = None, gateway=_UNCHANGED,
                      cooldown_ms: Optional[int] = None) -> pb.Subnet:
        """Pools, gateway and cooldown in one step, every rule checked against the end state: all or nothing
        (SPEC 1). Left out: unchanged; pools=[]: no pools; gateway=None: no gateway."""
        req = pb.UpdateSubnetRequest(subnet_id=subnet_id)
        if pools is not None:
            req.set_pools = True
            req.pools.extend(pb.IpRange(first=f, last=l) for f, l in pools)
        if gateway is not Client._UNCHANGED:
            req.set_gateway = True
            if gateway is not None:
                req.gateway = gateway
        if cooldown_ms is not None:
            req.cooldown_ms = cooldown_ms
        return self.call("UpdateSubnet", req)

    # ----- addresses -------------------------------------------------------------------------------------------

    def allocate(self, subnet_id: str, owner: str, *, next: bool = False, address: Optional[str] = None,
                 mac: Optional[str] = None, request_key: str = "", lease_ms: int = 0, router: bool = False) -> str:
        """One address: any (by the subnet's strategy), the lowest free (next), a given one, or the EUI-64 one of
        a MAC. A request_key makes a retry return the first answer and allocate nothing (SPEC 9); lease_ms > 0
        makes the allocation expire unless renewed; router=True marks a router's request (SPEC 2: with an address it
        may take the IPv6 subnet-router anycast address, and the allocation keeps the mark)."""
        req = pb.AllocateRequest(subnet_id=subnet_id, owner=str(owner), request_key=request_key,
                                 lease_ms=lease_ms, router=router)
        if next:
            req.next = True
        elif address is not None:
            req.address = address
        elif mac is not None:
            req.mac = mac
        return self.call("Allocate", req).addresses[0]

    def allocate_bulk(self, subnet_id: str, owner: str, count: int, *, request_key: str = "",
                      lease_ms: int = 0) -> List[str]:
        return list(self.call("Allocate", pb.AllocateRequest(subnet_id=subnet_id, owner=str(owner), count=count,
                                                             request_key=request_key, lease_ms=lease_ms)).addresses)

    def renew(self, subnet_id: str, address: str, owner: str, lease_ms: int) -> bool:
        """Move a lease's end to now + lease_ms; False if the address is free."""
        return self.call("Renew", pb.RenewRequest(subnet_id=subnet_id, address=address, owner=str(owner),
                                                  lease_ms=lease_ms)).renewed

    def release(self, subnet_id: str, address: str, owner: Optional[str] = None) -> bool:
        req = pb.ReleaseRequest(subnet_id=subnet_id, address=address)
        if owner is not None:
            req.owner = str(owner)
        return self.call("Release", req).released

    def release_owner(self, owner: str) -> int:
        return self.call("ReleaseOwner", pb.ReleaseOwnerRequest(owner=str(owner))).released

    def owner(self, subnet_id: str, address: str) -> Optional[str]:
        r = self.call("GetOwner", pb.GetOwnerRequest(subnet_id=subnet_id, address=address))
        return r.owner if r.HasField("owner") else None

    def allocations(self, owner: str) -> List[pb.Allocation]:
        return list(self.call("ListAllocations", pb.ListAllocationsRequest(owner=str(owner))).allocations)

    def allocate_port(self, owner: str, items: Iterable[pb.AddressRequest], *, request_key: str = "",
                      lease_ms: int = 0, router: bool = False) -> List[pb.Allocation]:
        return list(self.call("AllocatePort", pb.AllocatePortRequest(owner=str(owner), items=list(items),
                                                                     request_key=request_key, lease_ms=lease_ms,
                                                                     router=router))
                    .allocations)

    def reconcile_subnet(self, subnet_id: str, expected: Mapping[str, str], *, grace_ms: int = 0,
                         dry_run: bool = False) -> pb.ReconcileSubnetResponse:
        """Make one subnet match expected (address -> owner UUID, e.g. Neutron's ipallocations) in one writer
        step (SPEC 9): the answer lists what was (or, with dry_run, would be) released, allocated and re-owned."""
        return self.call("ReconcileSubnet", pb.ReconcileSubnetRequest(
            subnet_id=subnet_id, grace_ms=grace_ms, dry_run=dry_run,
            expected=[pb.ExpectedAddress(address=a, owner=str(o)) for a, o in expected.items()]))

    def batch(self, ops: Iterable[pb.BatchOp]) -> List[pb.BatchResult]:
        return list(self.call("Batch", pb.BatchRequest(ops=list(ops))).results)
