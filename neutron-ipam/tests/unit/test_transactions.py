"""The driver inside a Neutron transaction (journal.py): every entry point, committed and rolled back.

A real SQLAlchemy session (SQLite in memory) stands for Neutron's; the context carries it as oslo.db's
transaction context does (``context.transaction_ctx.session``). ipam is the real server.
"""

import types

import grpc
import netaddr
import pytest
import sqlalchemy as sa
from neutron.ipam import exceptions as ipam_exc
from sqlalchemy import orm

from ipam_client import IpamError
from ipam_neutron import driver

from test_driver import (  # noqa: F401  (fixtures are found by name)
    LostAnswers, Recorder, address_request, admin, conf, make_subnet, new_id, parsed_config, update_request)


@pytest.fixture
def session():
    s = orm.Session(sa.create_engine("sqlite://"))
    yield s
    s.close()


@pytest.fixture
def tx(conf, session):
    """(pool, session): a driver whose context is inside the session's transaction (begun)."""
    ctx = types.SimpleNamespace(transaction_ctx=types.SimpleNamespace(session=session), request_id="req-tx-test")
    session.begin()
    return driver.IpamPool(None, ctx), session


@pytest.fixture
def plain(conf):
    """A driver outside any transaction (to set things up)."""
    return driver.IpamPool(None, types.SimpleNamespace(request_id="req-plain"))


def held(admin, subnet_id, address):
    return admin.owner(subnet_id, address)


# ----- allocations: made at once, released if Neutron rolls back -----------------------------------------------

@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_allocate_is_kept_on_commit_and_released_on_rollback(tx, plain, admin, outcome):
    pool, session = tx
    _, spec = make_subnet(plain, "10.50.0.0/24")
    port = new_id()
    subnet = pool.get_subnet(spec["id"])
    ip = subnet.allocate(address_request(pool, port, ip_address="10.50.0.9"))
    any_ip = subnet.allocate(address_request(pool, port))
    next_ip = subnet.allocate(address_request(pool, port, device_owner="network:dhcp"))
    assert {held(admin, spec["id"], a) for a in (ip, any_ip, next_ip)} == {port}  # at once: Neutron needs them
    getattr(session, outcome)()
    expected = port if outcome == "commit" else None
    assert {held(admin, spec["id"], a) for a in (ip, any_ip, next_ip)} == {expected}


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_group_and_bulk_allocations_follow_the_transaction(tx, plain, admin, outcome):
    pool, session = tx
    network = new_id()
    _, a = make_subnet(plain, "10.51.0.0/24", network_id=network)
    _, b = make_subnet(plain, "10.51.1.0/24", network_id=network)
    port = new_id()
    ip, subnet_id = pool.get_allocator([a["id"], b["id"]]).allocate(address_request(pool, port))
    from neutron.ipam import requests as ipam_req
    bulk = ipam_req.BulkAddressRequest(3)
    bulk.ipam_owner = port
    ips = pool.get_subnet(b["id"]).bulk_allocate(bulk)
    assert len(admin.allocations(port)) == 4
    getattr(session, outcome)()
    assert len(admin.allocations(port)) == (4 if outcome == "commit" else 0)


def test_an_allocation_whose_answers_were_all_lost_is_found_by_its_key_and_released_on_rollback(
        tx, plain, admin, monkeypatch):
    pool, session = tx
    _, spec = make_subnet(plain, "10.52.0.0/24")
    port = new_id()
    lost = LostAnswers(monkeypatch, "Allocate", lose=4)  # the first try and its three retries: 503 to Neutron
    with pytest.raises(driver.IpamServerError):
        pool.get_subnet(spec["id"]).allocate(address_request(pool, port, ip_address="10.52.0.7"))
    assert held(admin, spec["id"], "10.52.0.7") == port  # applied, answer lost
    session.rollback()
    tries = [r for m, _, r in lost.sent if m == "Allocate"]
    assert len(tries) == 5 and len(set(tries)) == 1  # the rollback re-sent the same keyed request to learn it
    assert held(admin, spec["id"], "10.52.0.7") is None


def test_a_refused_allocation_leaves_nothing_to_undo(tx, plain, admin, monkeypatch):
    pool, session = tx
    _, spec = make_subnet(plain, "10.53.0.0/24")
    other = new_id()
    admin.allocate(spec["id"], other, address="10.53.0.5")
    with pytest.raises(ipam_exc.IpAddressAlreadyAllocated):
        pool.get_subnet(spec["id"]).allocate(address_request(pool, new_id(), ip_address="10.53.0.5"))
    rec = Recorder(monkeypatch)
    session.rollback()
    assert rec.sent == [] and held(admin, spec["id"], "10.53.0.5") == other


# ----- releases: applied after the commit, with the owner named --------------------------------------------------

@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_deallocate_is_applied_after_commit_only_and_names_the_owner(tx, plain, admin, monkeypatch, outcome):
    pool, session = tx
    _, spec = make_subnet(plain, "10.54.0.0/24")
    port = new_id()
    ip = plain.get_subnet(spec["id"]).allocate(address_request(plain, port))
    rec = Recorder(monkeypatch)
    pool.get_subnet(spec["id"]).deallocate(ip)
    assert held(admin, spec["id"], ip) == port  # not before Neutron commits
    getattr(session, outcome)()
    releases = [r for m, r in rec.sent if m == "Release"]
    assert [m for m, _ in rec.sent if m not in ("Release", "GetOwner")] == []  # no GetSubnet per release
    if outcome == "commit":
        assert held(admin, spec["id"], ip) is None
        assert [(r.address, r.owner) for r in releases] == [(ip, port)]
    else:
        assert held(admin, spec["id"], ip) == port and releases == []


def test_a_release_retried_after_a_lost_answer_never_frees_the_next_holder(plain, admin, monkeypatch):
    _, spec = make_subnet(plain, "10.55.0.0/24")
    port, next_port = new_id(), new_id()
    ip = plain.get_subnet(spec["id"]).allocate(address_request(plain, port))
    c = driver.client()
    original = c.call
    state = {"lost": False}

    def call(method, request):
        answer = original(method, request)
        if method == "Release" and not state["lost"]:
            state["lost"] = True
            admin.allocate(spec["id"], next_port, address=ip)  # someone takes it before the retry
            raise IpamError(grpc.StatusCode.UNAVAILABLE, "answer lost", None, 0)
        return answer

    monkeypatch.setattr(c, "call", call)
    plain.get_subnet(spec["id"]).deallocate(ip)
    assert held(admin, spec["id"], ip) == next_port


def test_neutron_reverting_a_release_in_the_same_transaction_cancels_it(tx, plain, admin, monkeypatch):
    # update_port_with_ips failing after the IPAM step: Neutron re-allocates what it released (needs_rollback)
    pool, session = tx
    _, spec = make_subnet(plain, "10.56.0.0/24")
    port = new_id()
    ip = plain.get_subnet(spec["id"]).allocate(address_request(plain, port))
    subnet = pool.get_subnet(spec["id"])
    subnet.deallocate(ip)
    rec = Recorder(monkeypatch)
    assert subnet.allocate(address_request(pool, port, ip_address=ip)) == ip
    assert [m for m, _ in rec.sent] == []  # the pending release is dropped, nothing sent
    session.commit()
    assert held(admin, spec["id"], ip) == port


def test_an_address_moved_to_another_port_in_one_transaction_goes_back_on_rollback(tx, plain, admin):
    pool, session = tx
    _, spec = make_subnet(plain, "10.57.0.0/24")
    first, second = new_id(), new_id()
    ip = plain.get_subnet(spec["id"]).allocate(address_request(plain, first))
    subnet = pool.get_subnet(spec["id"])
    subnet.deallocate(ip)
    assert subnet.allocate(address_request(pool, second, ip_address=ip)) == ip
    assert held(admin, spec["id"], ip) == second
    session.rollback()
    assert held(admin, spec["id"], ip) == first


# ----- subnets ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_allocate_subnet_is_deleted_if_neutron_rolls_back(tx, admin, outcome):
    pool, session = tx
    _, spec = make_subnet(pool, "10.58.0.0/24")
    assert admin.subnet(spec["id"]).cidr == "10.58.0.0/24"
    getattr(session, outcome)()
    assert (spec["id"] in [s.id for s in admin.subnets()]) is (outcome == "commit")


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_remove_subnet_is_applied_after_commit_only(tx, plain, admin, outcome):
    pool, session = tx
    _, spec = make_subnet(plain, "10.59.0.0/24")
    plain.get_subnet(spec["id"]).allocate(address_request(plain))
    pool.remove_subnet(spec["id"])
    assert admin.subnet(spec["id"]).allocated == 1
    getattr(session, outcome)()
    assert (spec["id"] in [s.id for s in admin.subnets()]) is (outcome == "rollback")


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_update_subnet_is_put_back_if_neutron_rolls_back(tx, plain, admin, outcome):
    pool, session = tx
    _, spec = make_subnet(plain, "10.60.0.0/24")  # gateway .1, pool .2-.254
    # the three-step case: the new gateway in the old pool, the old gateway in the new one
    pool.update_subnet(update_request(pool, spec, gateway_ip="10.60.0.100",
                                      allocation_pools=[netaddr.IPRange("10.60.0.1", "10.60.0.99")]))
    assert admin.subnet(spec["id"]).gateway == "10.60.0.100"
    getattr(session, outcome)()
    info = admin.subnet(spec["id"])
    if outcome == "commit":
        assert (info.gateway, [(r.first, r.last) for r in info.pools]) == ("10.60.0.100",
                                                                            [("10.60.0.1", "10.60.0.99")])
    else:
        assert (info.gateway, [(r.first, r.last) for r in info.pools]) == ("10.60.0.1",
                                                                            [("10.60.0.2", "10.60.0.254")])


def test_a_failed_update_outside_a_transaction_is_put_back_at_once(plain, admin):
    _, spec = make_subnet(plain, "10.61.0.0/24")
    port = new_id()
    plain.get_subnet(spec["id"]).allocate(address_request(plain, port, ip_address="10.61.0.50"))
    # the gateway moves first (allowed), then the pools are refused (the gateway would be in them)
    with pytest.raises(ipam_exc.InvalidSubnetRequest, match="GATEWAY_IN_POOL"):
        plain.update_subnet(update_request(plain, spec, gateway_ip="10.61.0.50",
                                           allocation_pools=[netaddr.IPRange("10.61.0.2", "10.61.0.200")]))
    info = admin.subnet(spec["id"])
    assert (info.gateway, [(r.first, r.last) for r in info.pools]) == ("10.61.0.1", [("10.61.0.2", "10.61.0.254")])


def test_a_prefix_delegation_replacement_is_undone_with_the_placeholders_addresses(tx, plain, admin, monkeypatch):
    pool, session = tx
    network = new_id()
    _, spec = make_subnet(plain, "::/64", gateway="::1", network_id=network)
    port = new_id()
    router_ip = plain.get_subnet(spec["id"]).allocate(address_request(plain, port, ip_address="::1:2"))
    monkeypatch.setattr(driver, "_neutron_allocations", lambda ctx, sid: [(router_ip, port)])  # Neutron's rows
    pool.update_subnet(update_request(pool, spec, cidr="2001:db8:60::/64", gateway_ip="2001:db8:60::1",
                                      allocation_pools=[netaddr.IPRange("2001:db8:60::2", "2001:db8:60::ff")]))
    assert admin.subnet(spec["id"]).tenant == "net-" + network
    session.rollback()
    info = admin.subnet(spec["id"])
    assert (info.cidr, info.tenant) == ("::/64", "pd-" + spec["id"])
    assert held(admin, spec["id"], router_ip) == port


# ----- savepoints and transactions that end without a hook -------------------------------------------------------

def test_a_savepoint_rolled_back_undoes_its_own_work_only(tx, plain, admin):
    pool, session = tx
    _, spec = make_subnet(plain, "10.62.0.0/24")
    outer, inner = new_id(), new_id()
    subnet = pool.get_subnet(spec["id"])
    kept = subnet.allocate(address_request(pool, outer))
    savepoint = session.begin_nested()
    undone = subnet.allocate(address_request(pool, inner))
    savepoint.rollback()
    assert held(admin, spec["id"], undone) is None and held(admin, spec["id"], kept) == outer
    session.commit()
    assert held(admin, spec["id"], kept) == outer


def test_a_released_savepoint_leaves_its_work_to_the_enclosing_transaction(tx, plain, admin):
    pool, session = tx
    _, spec = make_subnet(plain, "10.63.0.0/24")
    port = new_id()
    savepoint = session.begin_nested()
    ip = pool.get_subnet(spec["id"]).allocate(address_request(pool, port))
    savepoint.commit()
    assert held(admin, spec["id"], ip) == port
    session.rollback()
    assert held(admin, spec["id"], ip) is None


def test_a_transaction_closed_without_commit_is_undone(tx, plain, admin):
    pool, session = tx
    _, spec = make_subnet(plain, "10.64.0.0/24")
    ip = pool.get_subnet(spec["id"]).allocate(address_request(pool))
    session.close()  # a reader session closed, a connection lost: nothing reached Neutron's tables
    assert held(admin, spec["id"], ip) is None


def test_outside_a_transaction_everything_is_applied_at_once(plain, admin):
    _, spec = make_subnet(plain, "10.65.0.0/24")
    subnet = plain.get_subnet(spec["id"])
    ip = subnet.allocate(address_request(plain))
    subnet.deallocate(ip)
    assert held(admin, spec["id"], ip) is None
    plain.remove_subnet(spec["id"])
    assert spec["id"] not in [s.id for s in admin.subnets()]


def test_get_subnet_makes_no_call_and_its_details_keep_the_project_and_neutrons_gateway(plain, admin, monkeypatch):
    # one call when the details are asked for: the gateway (Neutron's, as given) from ipam, the project from
    # Neutron's row
    subnet, spec = make_subnet(plain, "2001:db8:66::/64", gateway="2001:db8:66::")
    rec = Recorder(monkeypatch)
    lazy = plain.get_subnet(spec["id"])
    assert rec.sent == []
    monkeypatch.setattr(driver, "_neutron_subnet", lambda ctx, sid: types.SimpleNamespace(
        project_id="p1", gateway_ip=netaddr.IPAddress("2001:db8:66::"), network_id=spec["network_id"]))
    details = lazy.get_details()
    assert [m for m, _ in rec.sent] == ["GetSubnet"]
    assert details.project_id == "p1" and str(details.gateway_ip) == "2001:db8:66::"
    assert admin.subnet(spec["id"]).gateway == "2001:db8:66::"  # Neutron's, kept as given (SPEC 1)


def test_a_subnet_request_without_an_id_is_given_one(plain, admin):
    from neutron.ipam import requests as ipam_req
    request = ipam_req.SpecificSubnetRequest("p1", None, "10.67.0.0/24", gateway_ip="10.67.0.1")
    subnet = plain.allocate_subnet(request)
    assert subnet.subnet_id and admin.subnet(subnet.subnet_id).cidr == "10.67.0.0/24"
    assert subnet.get_details().subnet_id == subnet.subnet_id
