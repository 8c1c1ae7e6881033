"""The Python client against a real `ipam serve`: answers, error codes from the status details, tokens, batches."""

import ipaddress
import uuid

import grpc
import pytest

from ipam_client import Client, IpamError, pb

from conftest import ADMIN, TENANT

OWNER = str(uuid.UUID(int=7))
OTHER = str(uuid.UUID(int=8))


@pytest.fixture
def client(server):
    with Client(server.target, token=ADMIN) as c:
        yield c


def fresh(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_subnet_allocate_release_round_trip(client):
    sid = fresh("s")
    s = client.create_subnet(sid, "10.20.0.0/29", lowest=True)
    assert s.cidr == "10.20.0.0/29" and s.gateway == "10.20.0.1" and s.free == "5"
    assert client.allocate(sid, OWNER) == "10.20.0.2"
    assert client.allocate(sid, OWNER, address="10.20.0.6") == "10.20.0.6"
    assert client.allocate_bulk(sid, OWNER, 3) == ["10.20.0.3", "10.20.0.4", "10.20.0.5"]
    assert client.owner(sid, "10.20.0.6") == OWNER
    assert client.release(sid, "10.20.0.6", owner=OWNER) is True
    assert client.release(sid, "10.20.0.6") is False
    assert client.owner(sid, "10.20.0.6") is None
    assert [a.address for a in client.allocations(OWNER) if a.subnet_id == sid] == [
        "10.20.0.2", "10.20.0.3", "10.20.0.4", "10.20.0.5"]
    client.delete_subnet(sid, force=True)
    assert sid not in [x.id for x in client.subnets()]


def test_ipv6_canonical_text_and_eui64(client):
    sid = fresh("v6")
    client.create_subnet(sid, "2001:0db8:0:0::/64")
    assert client.subnet(sid).cidr == "2001:db8::/64"
    assert client.allocate(sid, OWNER, mac="00:11:22:33:44:55") == "2001:db8::211:22ff:fe33:4455"


def test_errors_carry_the_ipam_code(client):
    sid = fresh("e")
    client.create_subnet(sid, "10.21.0.0/30")
    client.allocate(sid, OWNER)
    with pytest.raises(IpamError) as e:
        client.allocate(sid, OWNER)
    assert (e.value.status, e.value.code, e.value.number) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "EXHAUSTED", 9)
    with pytest.raises(IpamError) as e:
        client.subnet("no-such-subnet")
    assert (e.value.status, e.value.code, e.value.number) == (grpc.StatusCode.NOT_FOUND, "SUBNET_NOT_FOUND", 1)
    with pytest.raises(IpamError) as e:
        client.create_subnet(fresh("bad"), "10.0.0.5/24")
    assert (e.value.status, e.value.code) == (grpc.StatusCode.INVALID_ARGUMENT, "CIDR_INVALID")
    assert "10.0.0.0/24" in e.value.message
    with pytest.raises(IpamError) as e:
        client.allocate(sid, "not-a-uuid")
    assert e.value.code == "MALFORMED"
    with pytest.raises(IpamError) as e:
        client.create_subnet(fresh("o"), "10.21.0.0/24")
    assert (e.value.status, e.value.code) == (grpc.StatusCode.FAILED_PRECONDITION, "SUBNET_OVERLAP")


def test_no_or_unknown_token_is_unauthenticated(server):
    for token in (None, "an-unknown-token-000000"):
        with Client(server.target, token=token) as c:
            with pytest.raises(IpamError) as e:
                c.subnets()
            assert e.value.status == grpc.StatusCode.UNAUTHENTICATED and e.value.code == "FORBIDDEN"


def test_tenant_token_sees_only_its_tenant(server, client):
    mine, theirs = fresh("tenant"), fresh("other")
    client.create_subnet(mine, "10.31.0.0/24", tenant="tenant-a")
    client.create_subnet(theirs, "10.31.0.0/24", tenant="tenant-b")
    with Client(server.target, token=TENANT) as c:
        ids = [s.id for s in c.subnets()]
        assert mine in ids and theirs not in ids
        with pytest.raises(IpamError) as e:
            c.subnet(theirs)
        assert e.value.code == "SUBNET_NOT_FOUND"


def test_port_request_is_all_or_nothing(client):
    sid = fresh("p")
    client.create_subnet(sid, "10.22.0.0/24")
    with pytest.raises(IpamError) as e:
        client.allocate_port(OWNER, [pb.AddressRequest(any=sid), pb.AddressRequest(any="missing-subnet")])
    assert e.value.code == "SUBNET_NOT_FOUND"
    assert client.subnet(sid).allocated == 0
    got = client.allocate_port(OWNER, [pb.AddressRequest(specific=pb.SpecificItem(subnet_id=sid,
                                                                                  address="10.22.0.9")),
                                       pb.AddressRequest(next=sid)])
    assert [a.address for a in got] == ["10.22.0.9", "10.22.0.2"]


def test_batch_answers_each_operation_in_order(client):
    sid = fresh("b")
    client.create_subnet(sid, "10.23.0.0/24")
    ops = [pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER)) for _ in range(200)]
    results = client.batch(ops)
    addresses = [r.allocated.addresses[0] for r in results]
    assert len(set(addresses)) == 200
    releases = [pb.BatchOp(release=pb.ReleaseRequest(subnet_id=sid, address=a)) for a in addresses[:10]]
    releases.append(pb.BatchOp(allocate=pb.AllocateRequest(subnet_id="missing-subnet", owner=OWNER)))
    results = client.batch(releases)
    assert all(r.released.released for r in results[:10])
    assert results[10].error.code == pb.SUBNET_NOT_FOUND
    assert client.subnet(sid).allocated == 190


def test_batch_over_the_bound_is_refused_whole(client):
    sid = fresh("big")
    client.create_subnet(sid, "10.24.0.0/16")
    ops = [pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER, count=5001)) for _ in range(2)]
    with pytest.raises(IpamError) as e:
        client.batch(ops)
    assert e.value.code == "BULK_TOO_LARGE"
    assert client.subnet(sid).allocated == 0


def test_request_key_returns_the_first_answer_and_allocates_nothing(client):
    sid = fresh("k")
    client.create_subnet(sid, "10.30.0.0/28", lowest=True)
    first = client.allocate(sid, OWNER, request_key="neutron-req-1")
    assert client.allocate(sid, OWNER, request_key="neutron-req-1") == first
    spec = client.allocate(sid, OWNER, address="10.30.0.9", request_key="neutron-req-2")
    assert client.allocate(sid, OWNER, address="10.30.0.9", request_key="neutron-req-2") == spec
    bulk = client.allocate_bulk(sid, OWNER, 2, request_key="neutron-req-3")
    assert client.allocate_bulk(sid, OWNER, 2, request_key="neutron-req-3") == bulk
    port = client.allocate_port(OWNER, [pb.AddressRequest(any=sid)], request_key="neutron-req-4")
    again = client.allocate_port(OWNER, [pb.AddressRequest(any=sid)], request_key="neutron-req-4")
    assert [a.address for a in again] == [a.address for a in port]
    assert client.subnet(sid).allocated == 5
    with pytest.raises(IpamError) as e:
        client.allocate(sid, str(uuid.UUID(int=8)), request_key="neutron-req-1")
    assert e.value.code == "MALFORMED"


def test_lease_renew_and_cooldown_fields(client):
    sid = fresh("l")
    s = client.create_subnet(sid, "10.31.0.0/29", lowest=True, cooldown_ms=60_000)
    assert s.cooldown_ms == 60_000 and s.cooling == 0
    a = client.allocate(sid, OWNER, lease_ms=3_600_000)
    held = [x for x in client.allocations(OWNER) if x.subnet_id == sid][0]
    assert held.expires_at_ms > held.time_ms > 0
    assert client.renew(sid, a, OWNER, 7_200_000) is True
    assert client.release(sid, a) is True
    assert client.subnet(sid).cooling == 1
    assert client.renew(sid, a, OWNER, 1_000) is False
    with pytest.raises(IpamError) as e:
        client.allocate(sid, OWNER, request_key="bad key")
    assert e.value.code == "MALFORMED"


def test_wide_ipv6_subnet_and_router_anycast(client):
    """SPEC 1, 2 (issue 22): an IPv6 /48, and a router taking the subnet-router anycast address."""
    sid = fresh("w48")
    s = client.create_subnet(sid, "2001:db8:4800::/48")
    assert s.free == str(2 ** 80 - 2)
    a = client.allocate(sid, OWNER)
    assert a.startswith("2001:db8:4800:")
    assert client.allocate(sid, OWNER, address="2001:db8:4800:7::9") == "2001:db8:4800:7::9"
    with pytest.raises(IpamError) as ex:
        client.allocate(sid, OWNER, address="2001:db8:4800::")
    assert ex.value.code == "ADDRESS_INVALID"
    assert client.allocate(sid, OTHER, address="2001:db8:4800::", router=True) == "2001:db8:4800::"
    marks = {x.address: x.router for x in client.allocations(OTHER)}
    assert marks["2001:db8:4800::"] is True
    assert client.owner(sid, "2001:db8:4800:7::9") == OWNER


def test_batch_in_a_wide_ipv6_subnet(client):
    """A Batch on an IPv6 /48 (issue 22): random, lowest, specific and release, each address whole (128 bits)."""
    sid = fresh("b48")
    client.create_subnet(sid, "2001:db8:4900::/48")
    ops = [pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER)) for _ in range(8)]
    ops.append(pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER, address="2001:db8:4900:77::9")))
    ops.append(pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER, next=True)))
    ops.append(pb.BatchOp(allocate=pb.AllocateRequest(subnet_id=sid, owner=OWNER, count=3)))
    results = client.batch(ops)
    assert not any(r.HasField("error") for r in results), results
    random = [r.allocated.addresses[0] for r in results[:8]]
    assert len({int(ipaddress.IPv6Address(a)) >> 64 for a in random}) > 1, "RANDOM over all 80 bits: " + str(random)
    assert results[8].allocated.addresses[0] == "2001:db8:4900:77::9"
    assert results[9].allocated.addresses[0] == "2001:db8:4900::2", "lowest: the gateway is ::1"
    bulk = list(results[10].allocated.addresses)
    assert len(set(bulk)) == 3 and all(ipaddress.IPv6Address(a) in ipaddress.IPv6Network("2001:db8:4900::/48")
                                       for a in bulk), bulk
    for a in random + bulk:
        assert client.owner(sid, a) == OWNER, a
    releases = client.batch([pb.BatchOp(release=pb.ReleaseRequest(subnet_id=sid, address=a)) for a in random])
    assert all(r.released.released for r in releases)
    assert client.subnet(sid).allocated == 5

def test_update_subnet_is_all_or_nothing(client):
    sid = fresh("upd")
    client.create_subnet(sid, "10.77.0.0/24")
    s = client.update_subnet(sid, pools=[("10.77.0.10", "10.77.0.50")], gateway="10.77.0.100", cooldown_ms=5000)
    assert (s.gateway, s.cooldown_ms) == ("10.77.0.100", 5000)
    assert [(p.first, p.last) for p in s.pools] == [("10.77.0.10", "10.77.0.50")]
    with pytest.raises(IpamError) as ex:
        client.update_subnet(sid, pools=[("10.77.0.90", "10.77.0.110")], cooldown_ms=0)
    assert ex.value.code == "GATEWAY_IN_POOL"
    assert client.subnet(sid).cooldown_ms == 5000, "nothing changed"
    assert not client.update_subnet(sid, gateway=None).HasField("gateway")


def test_reconcile_subnet_reports_each_group(client):
    sid = fresh("rec")
    client.create_subnet(sid, "10.78.0.0/24")
    client.allocate(sid, OTHER, address="10.78.0.11")
    client.allocate(sid, OTHER, address="10.78.0.12")
    expected = {"10.78.0.12": OWNER, "10.78.0.13": OWNER}
    dry = client.reconcile_subnet(sid, expected, dry_run=True)
    assert dry.dry_run and client.owner(sid, "10.78.0.11") == OTHER
    r = client.reconcile_subnet(sid, expected)
    assert [a.address for a in r.released] == ["10.78.0.11"]
    assert [a.address for a in r.allocated] == ["10.78.0.13"]
    assert [(a.address, a.owner) for a in r.reowned] == [("10.78.0.12", OWNER)]
    assert client.owner(sid, "10.78.0.12") == OWNER
