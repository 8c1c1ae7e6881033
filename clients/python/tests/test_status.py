"""Every gRPC status read by the Python client: the ipam code from the status details when the server gave one,
else the nearest code (as the Java client does, docs/grpc.md); and the transport's statuses produced for real."""

import uuid

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from ipam_client import NEAREST, Client, IpamError, ipam_error

from conftest import ADMIN

EXPECTED_NEAREST = {
    grpc.StatusCode.UNAVAILABLE: ("STORE_IO", 25),
    grpc.StatusCode.DEADLINE_EXCEEDED: ("OVERLOADED", 23),
    grpc.StatusCode.RESOURCE_EXHAUSTED: ("LIMIT_EXCEEDED", 29),
    grpc.StatusCode.UNAUTHENTICATED: ("FORBIDDEN", 30),
    grpc.StatusCode.PERMISSION_DENIED: ("FORBIDDEN", 30),
}


class FakeError(grpc.RpcError):
    def __init__(self, status, details="what", trailers=()):
        self._status, self._details, self._trailers = status, details, trailers

    def code(self):
        return self._status

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailers


def with_info(status, reason, number, domain="ipam.io"):
    info = error_details_pb2.ErrorInfo(domain=domain, reason=reason, metadata={"code": str(number)})
    detail = any_pb2.Any()
    detail.Pack(info)
    st = status_pb2.Status(code=status.value[0], message=f"{reason}: x", details=[detail])
    return (("grpc-status-details-bin", st.SerializeToString()),)


@pytest.mark.parametrize("status", [s for s in grpc.StatusCode if s != grpc.StatusCode.OK], ids=lambda s: s.name)
def test_a_status_without_an_ipam_code_gets_the_nearest(status):
    e = ipam_error(FakeError(status))
    assert (e.code, e.number) == EXPECTED_NEAREST.get(status, ("INTERNAL", 28))
    assert e.status == status and e.message == "what"
    assert str(e) == f"{e.code}: server answered {status.name}: what"


@pytest.mark.parametrize("status", [s for s in grpc.StatusCode if s != grpc.StatusCode.OK], ids=lambda s: s.name)
def test_a_status_with_an_ipam_code_keeps_it(status):
    e = ipam_error(FakeError(status, "EXHAUSTED: x", with_info(status, "EXHAUSTED", 9)))
    assert (e.status, e.code, e.number, str(e)) == (status, "EXHAUSTED", 9, "EXHAUSTED: EXHAUSTED: x")
    # another domain's ErrorInfo is not ours
    foreign = ipam_error(FakeError(status, "x", with_info(status, "EXHAUSTED", 9, domain="example.com")))
    assert foreign.code == EXPECTED_NEAREST.get(status, ("INTERNAL", 28))[0]


def test_the_table_is_the_documented_one():
    assert NEAREST == EXPECTED_NEAREST


def test_transport_statuses_for_real(server):
    # over the server's 4 MiB message bound: gRPC's RESOURCE_EXHAUSTED, read as LIMIT_EXCEEDED (SPEC 10)
    with Client(server.target, token=ADMIN) as c:
        with pytest.raises(IpamError) as e:
            c.allocate("s" * (5 * 1024 * 1024), str(uuid.UUID(int=1)))
        assert (e.value.status, e.value.code) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "LIMIT_EXCEEDED")
    # a server that is not there
    with Client("127.0.0.1:1", token=ADMIN, timeout=5) as c:
        with pytest.raises(IpamError) as e:
            c.subnets()
        assert (e.value.status, e.value.code, e.value.number) == (grpc.StatusCode.UNAVAILABLE, "STORE_IO", 25)
    # a deadline that passes
    with Client(server.target, token=ADMIN, timeout=0.000001) as c:
        with pytest.raises(IpamError) as e:
            c.subnets()
        assert (e.value.status, e.value.code) == (grpc.StatusCode.DEADLINE_EXCEEDED, "OVERLOADED")
