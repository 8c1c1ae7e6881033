"""An asyncio client of ``ipam serve`` (``grpc.aio``): the calls a Neutron-style driver makes, awaitable.

Same messages, token handling and :class:`~ipam_client.IpamError` as :class:`~ipam_client.Client`; one channel
serves any number of concurrent tasks. Use it inside a running event loop::

    async with AsyncClient("127.0.0.1:7600", token=TOKEN) as c:
        address = await c.allocate("net-1", owner)
        await c.release("net-1", address)
"""

from __future__ import annotations

from typing import Iterable, List, Optional

import grpc

from ipam.v1 import ipam_pb2 as pb
from ipam.v1 import ipam_pb2_grpc

from ipam_client import ipam_error
from ipam_client.tls import credentials as tls_credentials
from ipam_client.tls import warn_if_plaintext_token

__all__ = ["AsyncClient"]


class AsyncClient:
    """One ``grpc.aio`` channel to a server; create it and use it on one event loop."""

    def __init__(self, target: str, token: Optional[str] = None, root_certificates: Optional[bytes] = None,
                 timeout: float = 30.0, max_receive_bytes: int = 64 * 1024 * 1024, *, tls: Optional[bool] = None,
                 certificate_chain: Optional[bytes] = None, private_key: Optional[bytes] = None):
        """The options of :class:`ipam_client.Client`."""
        options = [("grpc.max_receive_message_length", max_receive_bytes)]
        creds = tls_credentials(tls, root_certificates, certificate_chain, private_key)
        warn_if_plaintext_token(target, token, creds)
        if creds is not None:
            self._channel = grpc.aio.secure_channel(target, creds, options=options)
        else:
            self._channel = grpc.aio.insecure_channel(target, options=options)
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self._timeout = timeout
        self.stub = ipam_pb2_grpc.IpamServiceStub(self._channel)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def call(self, method: str, request):
        """Call any unary method of the stub by name, raising :class:`~ipam_client.IpamError` on failure."""
        try:
            return await getattr(self.stub, method)(request, timeout=self._timeout, metadata=self._metadata)
        except grpc.RpcError as e:  # grpc.aio.AioRpcError is one
            raise ipam_error(e) from None

    async def create_subnet(self, subnet_id: str, cidr: str, lowest: bool = False) -> pb.Subnet:
        return await self.call("CreateSubnet", pb.CreateSubnetRequest(
            id=subnet_id, cidr=cidr, strategy=pb.LOWEST if lowest else pb.RANDOM))

    async def delete_subnet(self, subnet_id: str, force: bool = False) -> None:
        await self.call("DeleteSubnet", pb.DeleteSubnetRequest(subnet_id=subnet_id, force=force))

    async def allocate(self, subnet_id: str, owner: str, *, address: Optional[str] = None, request_key: str = "",
                       lease_ms: int = 0) -> str:
        """Any address by the subnet's strategy, or a given one; see :meth:`ipam_client.Client.allocate`."""
        req = pb.AllocateRequest(subnet_id=subnet_id, owner=str(owner), request_key=request_key, lease_ms=lease_ms)
        if address is not None:
            req.address = address
        return (await self.call("Allocate", req)).addresses[0]

    async def release(self, subnet_id: str, address: str, owner: Optional[str] = None) -> bool:
        req = pb.ReleaseRequest(subnet_id=subnet_id, address=address)
        if owner is not None:
            req.owner = str(owner)
        return (await self.call("Release", req)).released

    async def batch(self, ops: Iterable[pb.BatchOp]) -> List[pb.BatchResult]:
        return list((await self.call("Batch", pb.BatchRequest(ops=list(ops)))).results)
