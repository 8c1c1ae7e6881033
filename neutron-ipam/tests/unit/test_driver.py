"""The driver against a real `ipam serve`: Neutron's driver interface in, ipam's state and Neutron's errors out."""

import threading
import uuid

import netaddr
import pytest
from neutron.conf import common as base_config
from neutron.ipam import driver as ipam_base
from neutron.ipam import exceptions as ipam_exc
from neutron.ipam import requests as ipam_req
from neutron_lib import constants
from neutron_lib import context as n_context
from neutron_lib import exceptions as n_exc
from oslo_config import cfg
from oslo_utils import netutils

import ipam_server
from ipam_client import Client, IpamError, pb
from ipam_neutron import config
from ipam_neutron import driver

cfg.CONF.register_opts(base_config.core_opts)


@pytest.fixture(scope="module", autouse=True)
def parsed_config():
    cfg.CONF([], project="neutron", default_config_files=[])  # as neutron-server parses its configuration
    yield
    cfg.CONF.clear()  # unparsed again: Neutron's own test cases register CLI options in their setUp


@pytest.fixture
def conf(server):
    cfg.CONF.set_override("ipam_driver", "ipam")
    cfg.CONF.set_override("server", server.target, group="ipam")
    cfg.CONF.set_override("token", ipam_server.ADMIN_TOKEN, group="ipam")
    yield cfg.CONF
    cfg.CONF.clear_override("ipam_driver")
    for name in ("server", "token", "tls_ca_file", "retries", "strict_anycast"):
        cfg.CONF.clear_override(name, group="ipam")
    driver.reset_clients()


@pytest.fixture
def admin(server):
    with Client(server.target, token=ipam_server.ADMIN_TOKEN) as c:
        yield c


@pytest.fixture
def ctx():
    return n_context.Context("neutron-ipam-test", "p1", is_admin=True)


@pytest.fixture
def pool(conf, ctx):
    return ipam_base.Pool.get_instance(None, ctx)


def new_id():
    return str(uuid.uuid4())


def make_subnet(pool, cidr, gateway="auto", pools=None, network_id=None, ctx=None):
    """Create a subnet through the driver as Neutron does: a SubnetRequestFactory request from a subnet dict."""
    net = netaddr.IPNetwork(cidr)
    if gateway == "auto":
        gateway = str(net[1])
    subnet = {"id": new_id(), "network_id": network_id or new_id(), "project_id": "p1", "cidr": cidr,
              "gateway_ip": gateway, "allocation_pools": pools, "prefixlen": net.prefixlen}
    request = pool.get_subnet_request_factory().get_request(ctx, subnet, None)
    return pool.allocate_subnet(request), subnet


def address_request(pool, port_id=None, **ip_dict):
    port = {"id": port_id or new_id(), "device_owner": ip_dict.pop("device_owner", "compute:nova")}
    return pool.get_address_request_factory().get_request(None, port, ip_dict)


# ----- loading and subnets -------------------------------------------------------------------------------

def test_entry_point_loads_the_driver_which_needs_rollback(pool):
    assert type(pool) is driver.IpamPool
    assert pool.needs_rollback() is True
    assert isinstance(pool.get_allocator([new_id()]), ipam_base.SubnetGroup)


def test_create_subnet_mirrors_cidr_gateway_pools_in_the_networks_tenant(pool, admin):
    pools = [netaddr.IPRange("10.1.0.10", "10.1.0.20"), netaddr.IPRange("10.1.0.30", "10.1.0.40")]
    subnet, spec = make_subnet(pool, "10.1.0.0/24", gateway="10.1.0.1", pools=pools)
    info = admin.subnet(spec["id"])
    assert info.cidr == "10.1.0.0/24" and info.gateway == "10.1.0.1"
    assert info.tenant == "net-" + spec["network_id"]
    assert [(r.first, r.last) for r in info.pools] == [("10.1.0.10", "10.1.0.20"), ("10.1.0.30", "10.1.0.40")]
    details = subnet.get_details()
    assert isinstance(details, ipam_req.SpecificSubnetRequest)
    assert details.subnet_id == spec["id"] and details.project_id == "p1"
    assert str(details.subnet_cidr) == "10.1.0.0/24" and str(details.gateway_ip) == "10.1.0.1"
    assert details.allocation_pools == pools
    loaded = pool.get_subnet(spec["id"]).get_details()
    assert loaded.allocation_pools == pools and str(loaded.gateway_ip) == "10.1.0.1"


def test_create_subnet_without_gateway_and_default_pools(pool, admin):
    _, spec = make_subnet(pool, "10.2.0.0/29", gateway=None)
    info = admin.subnet(spec["id"])
    assert not info.HasField("gateway")
    assert [(r.first, r.last) for r in info.pools] == [("10.2.0.1", "10.2.0.6")]


def test_same_cidr_in_two_networks_but_not_twice_in_one(pool, ctx):
    network = new_id()
    make_subnet(pool, "10.3.0.0/24", network_id=network)
    make_subnet(pool, "10.3.0.0/24")  # another network: its own address space
    with pytest.raises(ipam_exc.InvalidSubnetRequest, match="SUBNET_OVERLAP"):
        make_subnet(pool, "10.3.0.0/25", network_id=network)


def test_subnet_errors_are_neutrons(pool):
    missing = pool.get_subnet(new_id())  # no call yet: the first one that needs the subnet says it is missing
    with pytest.raises(n_exc.SubnetNotFound):
        missing.get_details()
    with pytest.raises(n_exc.SubnetNotFound):
        missing.allocate(address_request(pool))
    with pytest.raises(n_exc.SubnetNotFound):
        missing.deallocate("10.0.0.1")
    with pytest.raises(n_exc.SubnetNotFound):
        pool.remove_subnet(new_id())
    with pytest.raises(ipam_exc.InvalidSubnetRequest, match="CIDR_INVALID"):
        make_subnet(pool, "::/0")  # ipam takes IPv6 subnets of /1 to /128 (SPEC 1)
    with pytest.raises(ipam_exc.InvalidSubnetRequestType):
        pool.allocate_subnet(ipam_req.AnySubnetRequest("p1", new_id(), constants.IPv4, 24))
    with pytest.raises(ipam_exc.InvalidSubnetRequest):
        pool.update_subnet(ipam_req.SpecificSubnetRequest("p1", None, "10.9.0.0/24"))


def test_an_ipv6_subnet_shorter_than_64_as_neutron_makes_for_floating_ips(pool, admin):
    subnet, spec = make_subnet(pool, "2001:db8:48::/48")
    assert admin.subnet(spec["id"]).cidr == "2001:db8:48::/48"
    port = new_id()
    address = subnet.allocate(address_request(pool, port))
    assert netaddr.IPAddress(address) in netaddr.IPNetwork("2001:db8:48::/48")
    assert admin.owner(spec["id"], address) == port


def test_remove_subnet_with_allocations(pool, admin):
    subnet, spec = make_subnet(pool, "10.4.0.0/24")
    subnet.allocate(address_request(pool))
    pool.remove_subnet(spec["id"])
    assert spec["id"] not in [s.id for s in admin.subnets()]
    with pytest.raises(n_exc.SubnetNotFound):
        pool.remove_subnet(spec["id"])


def update_request(pool, spec, **changes):
    s = dict(spec)
    s.pop("gateway_ip")
    s.update(changes)
    return pool.get_subnet_request_factory().get_request(None, s, None)


def test_update_pools_and_gateway(pool, admin):
    _, spec = make_subnet(pool, "10.5.0.0/24")  # gateway .1, pool .2-.254
    pools = [netaddr.IPRange("10.5.0.100", "10.5.0.200")]
    pool.update_subnet(update_request(pool, spec, allocation_pools=pools))
    info = admin.subnet(spec["id"])
    assert [(r.first, r.last) for r in info.pools] == [("10.5.0.100", "10.5.0.200")]
    assert info.gateway == "10.5.0.1"  # not given: unchanged
    pool.update_subnet(update_request(pool, spec, gateway_ip="10.5.0.254", allocation_pools=pools))
    assert admin.subnet(spec["id"]).gateway == "10.5.0.254"
    pool.update_subnet(update_request(pool, spec, gateway_ip=None, allocation_pools=pools))
    assert not admin.subnet(spec["id"]).HasField("gateway")


def test_update_swapping_gateway_into_the_old_pools(pool, admin, monkeypatch):
    # new gateway inside the old pools and old gateway inside the new pools: one UpdateSubnet call (ipam checks
    # the end state), where separate pool and gateway calls needed three steps
    _, spec = make_subnet(pool, "10.6.0.0/24", gateway="10.6.0.1",
                          pools=[netaddr.IPRange("10.6.0.2", "10.6.0.254")])
    new_pools = [netaddr.IPRange("10.6.0.1", "10.6.0.253")]
    calls = []
    real = driver.call
    monkeypatch.setattr(driver, "call", lambda method, request, **kw: calls.append(method) or real(method, request,
                                                                                                   **kw))
    subnet = pool.update_subnet(update_request(pool, spec, gateway_ip="10.6.0.254", allocation_pools=new_pools))
    assert calls == ["GetSubnet", "UpdateSubnet"]
    info = admin.subnet(spec["id"])
    assert info.gateway == "10.6.0.254"
    assert [(r.first, r.last) for r in info.pools] == [("10.6.0.1", "10.6.0.253")]
    assert subnet.get_details().allocation_pools == new_pools


def test_update_keeps_allocations_outside_the_new_pools(pool, admin):
    subnet, spec = make_subnet(pool, "10.7.0.0/24")
    port = new_id()
    subnet.allocate(address_request(pool, port, ip_address="10.7.0.50"))
    pool.update_subnet(update_request(pool, spec, allocation_pools=[netaddr.IPRange("10.7.0.100", "10.7.0.110")]))
    assert admin.owner(spec["id"], "10.7.0.50") == port


# ----- addresses -------------------------------------------------------------------------------------------

def test_allocate_any_is_in_the_pools_and_owned_by_the_port(pool, admin):
    subnet, spec = make_subnet(pool, "10.10.0.0/24", pools=[netaddr.IPRange("10.10.0.100", "10.10.0.199")])
    port = new_id()
    ips = [subnet.allocate(address_request(pool, port)) for _ in range(20)]
    assert len(set(ips)) == 20
    assert all(netaddr.IPAddress(ip) in netaddr.IPRange("10.10.0.100", "10.10.0.199") for ip in ips)
    assert all(isinstance(ip, str) for ip in ips)
    assert {a.address for a in admin.allocations(port)} == set(ips)


def test_allocate_specific_and_its_errors(pool, admin):
    subnet, spec = make_subnet(pool, "10.11.0.0/24")
    port = new_id()
    assert subnet.allocate(address_request(pool, port, ip_address="10.11.0.7")) == "10.11.0.7"
    assert admin.owner(spec["id"], "10.11.0.7") == port
    with pytest.raises(ipam_exc.IpAddressAlreadyAllocated) as taken:
        subnet.allocate(address_request(pool, ip_address="10.11.0.7"))
    assert str(taken.value) == str(ipam_exc.IpAddressAlreadyAllocated(subnet_id=spec["id"], ip="10.11.0.7"))
    for bad in ("10.12.0.7", "10.11.0.0", "10.11.0.255", "2001:db8::1"):
        with pytest.raises(ipam_exc.InvalidIpForSubnet) as invalid:
            subnet.allocate(address_request(pool, ip_address=bad))
        assert str(invalid.value) == str(ipam_exc.InvalidIpForSubnet(subnet_id=spec["id"], ip=bad))
    # outside the pools but inside the subnet (the gateway, as a router interface takes it): allowed
    assert subnet.allocate(address_request(pool, ip_address="10.11.0.1")) == "10.11.0.1"


def test_prefer_next_takes_the_lowest_free_pool_address(pool):
    subnet, _ = make_subnet(pool, "10.12.0.0/24", pools=[netaddr.IPRange("10.12.0.50", "10.12.0.60")])
    dhcp = dict(device_owner="network:dhcp")
    req = address_request(pool, **dhcp)
    assert isinstance(req, ipam_req.PreferNextAddressRequest)
    assert subnet.allocate(req) == "10.12.0.50"
    assert subnet.allocate(address_request(pool, **dhcp)) == "10.12.0.51"


def test_eui64_through_the_automatic_request(pool, admin):
    subnet, spec = make_subnet(pool, "2001:db8:1::/64")
    mac = "fa:16:3e:4f:00:01"
    port = new_id()
    req = address_request(pool, port, eui64_address=True, subnet_cidr="2001:db8:1::/64", mac=mac)
    assert isinstance(req, ipam_req.AutomaticAddressRequest)
    expected = str(netutils.get_ipv6_addr_by_EUI64("2001:db8:1::/64", mac))
    assert subnet.allocate(req) == expected
    assert admin.owner(spec["id"], expected) == port
    with pytest.raises(ipam_exc.IpAddressAlreadyAllocated):
        subnet.allocate(address_request(pool, eui64_address=True, subnet_cidr="2001:db8:1::/64", mac=mac))


def test_eui64_outside_a_64_is_the_computed_address_and_refused_as_the_reference_does(pool):
    # EUI-64 fills the low 64 bits: in a /80 the computed address lies outside the subnet
    subnet, spec = make_subnet(pool, "2001:db8:2::/80")
    req = address_request(pool, eui64_address=True, subnet_cidr="2001:db8:2::/80", mac="fa:16:3e:4f:00:02")
    with pytest.raises(ipam_exc.InvalidIpForSubnet) as e:
        subnet.allocate(req)
    assert str(e.value) == str(ipam_exc.InvalidIpForSubnet(subnet_id=spec["id"], ip=str(req.address)))


def test_bulk_is_all_or_nothing(pool, admin):
    subnet, spec = make_subnet(pool, "10.13.0.0/28")  # 13 pool addresses (.2-.14)
    port = new_id()
    req = ipam_req.BulkAddressRequest(10)
    req.ipam_owner = port
    ips = subnet.bulk_allocate(req)
    assert len(set(ips)) == 10 and {a.address for a in admin.allocations(port)} == set(ips)
    more = ipam_req.BulkAddressRequest(4)
    more.ipam_owner = port
    with pytest.raises(ipam_exc.IpAddressGenerationFailure):
        subnet.bulk_allocate(more)
    assert len(admin.allocations(port)) == 10  # nothing taken by the refused request
    with pytest.raises(n_exc.InvalidInput):
        subnet.bulk_allocate(ipam_req.BulkAddressRequest(0))
    single = subnet.bulk_allocate(address_request(pool))
    assert len(single) == 1


def test_exhaustion_is_ip_address_generation_failure(pool):
    subnet, spec = make_subnet(pool, "10.14.0.0/30")  # one pool address: .2
    subnet.allocate(address_request(pool))
    with pytest.raises(ipam_exc.IpAddressGenerationFailure) as e:
        subnet.allocate(address_request(pool))
    assert type(e.value) is ipam_exc.IpAddressGenerationFailure
    assert str(e.value) == str(ipam_exc.IpAddressGenerationFailure(subnet_id=spec["id"]))


def test_deallocate(pool, admin):
    subnet, spec = make_subnet(pool, "10.15.0.0/24")
    ip = subnet.allocate(address_request(pool))
    pool.get_subnet(spec["id"]).deallocate(ip)
    assert admin.owner(spec["id"], ip) is None
    subnet.deallocate(ip)  # already free: nothing, as the reference driver
    subnet.deallocate("10.99.0.1")  # not this subnet's: nothing to free
    pool.remove_subnet(spec["id"])
    with pytest.raises(n_exc.SubnetNotFound):
        subnet.deallocate(ip)


# ----- groups ------------------------------------------------------------------------------------------------

def test_group_falls_through_on_exhaustion_only(pool, admin):
    network = new_id()
    full, full_spec = make_subnet(pool, "10.20.0.0/30", network_id=network)
    other, other_spec = make_subnet(pool, "10.20.1.0/24", network_id=network)
    full.allocate(address_request(pool))
    group = pool.get_allocator([full_spec["id"], other_spec["id"]])
    port = new_id()
    ip, subnet_id = group.allocate(address_request(pool, port))
    assert subnet_id == other_spec["id"] and netaddr.IPAddress(ip) in netaddr.IPNetwork("10.20.1.0/24")
    assert admin.owner(other_spec["id"], ip) == port
    # prefer-next falls through the same way
    ip, subnet_id = group.allocate(address_request(pool, device_owner="network:dhcp"))
    assert (ip, subnet_id) == ("10.20.1.2", other_spec["id"])
    # a specific address that is taken does not fall through
    other.allocate(address_request(pool, ip_address="10.20.1.9"))
    with pytest.raises(ipam_exc.IpAddressAlreadyAllocated):
        pool.get_allocator([other_spec["id"]]).allocate(address_request(pool, ip_address="10.20.1.9"))


def test_group_all_exhausted(pool):
    network = new_id()
    a, a_spec = make_subnet(pool, "10.21.0.0/30", network_id=network)
    b, b_spec = make_subnet(pool, "10.21.1.0/30", network_id=network)
    a.allocate(address_request(pool))
    b.allocate(address_request(pool))
    for ids in ([a_spec["id"], b_spec["id"]], [a_spec["id"]]):
        for req in (address_request(pool), address_request(pool, device_owner="network:dhcp")):
            with pytest.raises(ipam_exc.IpAddressGenerationFailureAllSubnets):
                pool.get_allocator(ids).allocate(req)


def test_group_with_a_missing_subnet(pool):
    a, a_spec = make_subnet(pool, "10.22.0.0/24")
    missing = new_id()
    with pytest.raises(n_exc.SubnetNotFound) as e:
        pool.get_allocator([missing, a_spec["id"]]).allocate(address_request(pool))
    assert str(e.value) == str(n_exc.SubnetNotFound(subnet_id=missing))


def test_concurrent_allocations_never_share_an_address(pool, admin):
    subnet, spec = make_subnet(pool, "10.23.0.0/26")  # 61 pool addresses
    results, errors = [], []

    def worker():
        try:
            for _ in range(10):
                results.append(subnet.allocate(address_request(pool)))
        except ipam_exc.IpAddressGenerationFailure:
            errors.append("exhausted")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert len(results) == 61 and len(set(results)) == 61  # 80 asked, 61 exist: no duplicate, no loss
    assert errors  # the rest were refused as exhausted
    assert admin.subnet(spec["id"]).free == "0"


# ----- request keys, retries, configuration -----------------------------------------------------------------

class Recorder:
    """Wraps the cached client's call() and records each (method, request) sent."""

    def __init__(self, monkeypatch, fail_with=None):
        self.sent = []
        c = driver.client()
        original = c.call

        def call(method, request):
            self.sent.append((method, request))
            if fail_with is not None:
                raise fail_with
            return original(method, request)

        monkeypatch.setattr(c, "call", call)


def test_each_allocation_carries_a_fresh_request_key_when_the_api_has_one(pool, monkeypatch):
    subnet, spec = make_subnet(pool, "10.30.0.0/24")
    rec = Recorder(monkeypatch)
    subnet.allocate(address_request(pool))
    subnet.allocate(address_request(pool))
    pool.get_allocator([spec["id"], spec["id"]]).allocate(address_request(pool))
    sent = [r for m, r in rec.sent if m in ("Allocate", "AllocatePort")]
    assert len(sent) == 3
    if driver.supports_request_keys():
        keys = [getattr(r, driver.KEY_FIELD) for r in sent]
        assert all(k.startswith("neutron:") and len(k) <= 128 for k in keys) and len(set(keys)) == 3
    else:
        # the API has no request_key field yet: nothing is set, and allocations are never retried
        assert not any(driver.KEY_FIELD in r.DESCRIPTOR.fields_by_name for r in sent)


def test_with_key_sets_the_field_only_where_the_message_has_it():
    req = pb.GetSubnetRequest(subnet_id="x")
    assert driver.with_key(req, "k") is False
    alloc = pb.AllocateRequest(subnet_id="x", owner=new_id())
    assert driver.with_key(alloc, "neutron:k") is driver.supports_request_keys()
    key = driver.new_request_key(n_context.Context("neutron-ipam-test", "p1", is_admin=True))
    assert key.startswith("neutron:req-") and len(key) <= 128
    assert all(ch.isalnum() or ch in "._:-" for ch in key)


def test_unavailable_reads_are_retried_and_unkeyed_allocations_are_not(conf, monkeypatch):
    import grpc
    cfg.CONF.set_override("retries", 2, group="ipam")
    unavailable = IpamError(grpc.StatusCode.UNAVAILABLE, "connection refused", None, 0)
    rec = Recorder(monkeypatch, fail_with=unavailable)
    p = driver.IpamPool(None, n_context.Context("neutron-ipam-test", "p1", is_admin=True))
    with pytest.raises(driver.IpamServerError, match="UNAVAILABLE"):
        p.get_subnet(new_id()).get_details()
    assert [m for m, _ in rec.sent] == ["GetSubnet"] * 3
    rec.sent.clear()
    req = pb.AllocateRequest(subnet_id="s", owner=new_id())
    with pytest.raises(IpamError):
        driver.call("Allocate", req, allocates=True)
    assert len(rec.sent) == 1  # no key: a lost answer could mean it was applied
    if driver.supports_request_keys():
        rec.sent.clear()
        driver.with_key(req, "neutron:retry-test")
        with pytest.raises(IpamError):
            driver.call("Allocate", req, allocates=True)
        assert len(rec.sent) == 3 and {getattr(r, driver.KEY_FIELD) for _, r in rec.sent} == {"neutron:retry-test"}


def test_a_server_that_is_not_there_is_a_503(conf, ctx):
    cfg.CONF.set_override("server", "127.0.0.1:1", group="ipam")
    cfg.CONF.set_override("retries", 0, group="ipam")
    with pytest.raises(driver.IpamServerError) as e:
        driver.IpamPool(None, ctx).get_subnet(new_id()).get_details()
    assert isinstance(e.value, n_exc.ServiceUnavailable)


def test_bad_settings_are_clear_errors(conf, ctx):
    for bad in ("127.0.0.1", "host:0", "host:70000", "", "a b:1"):
        cfg.CONF.set_override("server", bad, group="ipam")
        with pytest.raises(driver.IpamServerError, match="server must be HOST:PORT"):
            driver.IpamPool(None, ctx).get_subnet(new_id()).get_details()
    assert config.validate_server("[::1]:7600") == "[::1]:7600"
    cfg.CONF.set_override("server", "127.0.0.1:7600", group="ipam")
    cfg.CONF.set_override("tls_ca_file", "/nonexistent/ca.pem", group="ipam")
    with pytest.raises(driver.IpamServerError, match="tls_ca_file"):
        driver.IpamPool(None, ctx).get_subnet(new_id()).get_details()


def test_a_tenant_token_cannot_serve_neutron(conf, ctx):
    cfg.CONF.set_override("token", ipam_server.TENANT_TOKEN, group="ipam")
    p = driver.IpamPool(None, ctx)
    with pytest.raises(driver.IpamServerError, match="FORBIDDEN"):  # a setting to fix, not a bad request
        make_subnet(p, "10.40.0.0/24")
    cfg.CONF.set_override("token", "wrong-token-000000000000", group="ipam")
    with pytest.raises(driver.IpamServerError, match="UNAUTHENTICATED"):
        make_subnet(driver.IpamPool(None, ctx), "10.40.0.0/24")


def test_ipv6_gateway_on_the_network_address_is_kept_and_a_router_port_takes_it(pool, admin):
    # Neutron makes the subnet-router anycast address the gateway of an IPv6 subnet created without one (SPEC 1)
    subnet, spec = make_subnet(pool, "2001:db8:5::/64", gateway="2001:db8:5::")
    assert admin.subnet(spec["id"]).gateway == "2001:db8:5::"
    assert str(subnet.get_details().gateway_ip) == "2001:db8:5::"
    with pytest.raises(ipam_exc.InvalidIpForSubnet):  # an ordinary port may not take it (SPEC 2)
        subnet.allocate(address_request(pool, ip_address="2001:db8:5::"))
    router = new_id()
    assert subnet.allocate(address_request(pool, router, ip_address="2001:db8:5::",
                                           device_owner=constants.DEVICE_OWNER_ROUTER_INTF)) == "2001:db8:5::"
    assert [(a.address, a.router) for a in admin.allocations(router)] == [("2001:db8:5::", True)]
    # the router holds the gateway: moving it is refused, as Neutron refuses it for a router port
    with pytest.raises(ipam_exc.InvalidSubnetRequest, match="GATEWAY_IN_USE"):
        pool.update_subnet(update_request(pool, spec, gateway_ip="2001:db8:5::1",
                                          allocation_pools=[netaddr.IPRange("2001:db8:5::2", "2001:db8:5::ff")]))
    subnet.deallocate("2001:db8:5::")
    pool.update_subnet(update_request(pool, spec, gateway_ip="2001:db8:5::1",
                                      allocation_pools=[netaddr.IPRange("2001:db8:5::2", "2001:db8:5::ff")]))
    assert admin.subnet(spec["id"]).gateway == "2001:db8:5::1"


def test_every_allocation_of_a_router_port_is_marked_and_an_ordinary_holder_does_not_block_a_gateway_change(
        pool, admin):
    subnet, spec = make_subnet(pool, "10.45.0.0/24", gateway="10.45.0.1")
    gw_port, other = new_id(), new_id()
    subnet.allocate(address_request(pool, gw_port, device_owner=constants.DEVICE_OWNER_ROUTER_GW))  # any
    subnet.allocate(address_request(pool, other, ip_address="10.45.0.1"))  # a compute port on the gateway
    assert [a.router for a in admin.allocations(gw_port)] == [True]
    assert [a.router for a in admin.allocations(other)] == [False]
    pool.update_subnet(update_request(pool, spec, gateway_ip="10.45.0.254",
                                      allocation_pools=[netaddr.IPRange("10.45.0.2", "10.45.0.253")]))
    assert admin.subnet(spec["id"]).gateway == "10.45.0.254"
    assert admin.owner(spec["id"], "10.45.0.1") == other  # kept its address


def test_a_port_without_owner_takes_the_anycast_address_unless_strict_anycast(pool, admin, conf):
    subnet, spec = make_subnet(pool, "2001:db8:6::/64", gateway="2001:db8:6::")
    port, other = new_id(), new_id()
    assert subnet.allocate(address_request(pool, port, ip_address="2001:db8:6::", device_owner="")) == "2001:db8:6::"
    assert [(a.address, a.router) for a in admin.allocations(port)] == [("2001:db8:6::", True)]
    # an ordinary address of a port without owner carries no mark (Neutron counts router ports only)
    subnet.allocate(address_request(pool, other, ip_address="2001:db8:6::5", device_owner=""))
    assert [a.router for a in admin.allocations(other)] == [False]
    subnet.deallocate("2001:db8:6::")
    conf.set_override("strict_anycast", True, group="ipam")
    with pytest.raises(ipam_exc.InvalidIpForSubnet):
        subnet.allocate(address_request(pool, ip_address="2001:db8:6::", device_owner=""))
    router = new_id()
    assert subnet.allocate(address_request(pool, router, ip_address="2001:db8:6::",
                                           device_owner=constants.DEVICE_OWNER_ROUTER_SNAT)) == "2001:db8:6::"


def test_a_subnet_an_older_driver_made_without_the_anycast_gateway_reports_neutrons(pool, admin, monkeypatch):
    # before the server took the network address as gateway the driver kept no gateway for such subnets
    sid = new_id()
    admin.create_subnet(sid, "2001:db8:7::/64", no_gateway=True, tenant="net-" + new_id())

    class Row:
        project_id = "p9"
        gateway_ip = "2001:db8:7::"
        network_id = None

    monkeypatch.setattr(driver, "_neutron_subnet", lambda context, subnet_id: Row())
    details = pool.get_subnet(sid).get_details()
    assert str(details.gateway_ip) == "2001:db8:7::" and details.project_id == "p9"


def test_the_owner_comes_from_a_port_dict_or_a_port_object(pool):
    class PortObject:  # Neutron's Port OVO, as add_auto_addrs_on_network_ports passes it
        id = "0b3b3a38-8f3c-4a43-9d36-25a1f0d11d4e"
        device_owner = "compute:nova"

        def __getitem__(self, key):
            if key == "device_owner":
                return self.device_owner
            raise KeyError(key)

    factory = pool.get_address_request_factory()
    assert factory.get_request(None, PortObject(), {}).ipam_owner == PortObject.id
    assert factory.get_request(None, {"id": PortObject.id, "device_owner": ""}, {}).ipam_owner == PortObject.id
    bad = factory.get_request(None, {"id": "not-a-uuid", "device_owner": ""}, {})
    subnet, _ = make_subnet(pool, "10.41.0.0/24")
    with pytest.raises(n_exc.InvalidInput, match="not a UUID"):
        subnet.allocate(bad)


class LostAnswers:
    """The server applies each of the first `lose` calls of `method` but the driver never sees the answer."""

    def __init__(self, monkeypatch, method, lose=1):
        import grpc
        self.sent = []
        c = driver.client()
        original = c.call
        state = {"left": lose}

        def call(m, request):
            self.sent.append((m, type(request)(), request.SerializeToString()))
            answer = original(m, request)
            if m == method and state["left"] > 0:
                state["left"] -= 1
                raise IpamError(grpc.StatusCode.UNAVAILABLE, "answer lost on the way back", None, 0)
            return answer

        monkeypatch.setattr(c, "call", call)


@pytest.mark.parametrize("method", ["Allocate", "AllocatePort"])
def test_a_retried_allocation_whose_answer_was_lost_allocates_once(pool, admin, monkeypatch, method):
    assert driver.supports_request_keys() and driver.supports_request_keys(pb.AllocatePortRequest)
    subnet, spec = make_subnet(pool, "10.42.%d.0/24" % (0 if method == "Allocate" else 1))
    lost = LostAnswers(monkeypatch, method, lose=2)
    port = new_id()
    if method == "Allocate":
        ip = subnet.allocate(address_request(pool, port, device_owner="network:dhcp"))  # prefer-next
    else:
        ip, _ = pool.get_allocator([spec["id"]]).allocate(address_request(pool, port))
    tries = [r for m, _, r in lost.sent if m == method]
    assert len(tries) == 3 and len(set(tries)) == 1  # the same request, key included, three times
    assert [a.address for a in admin.allocations(port)] == [ip]  # one address, the one the first try took
    assert admin.subnet(spec["id"]).allocated == 1


def test_a_forked_worker_gets_a_channel_of_its_own(conf, monkeypatch):
    import os
    first = driver.client()
    assert driver.client() is first
    monkeypatch.setattr(os, "getpid", lambda: -12345)  # as in a worker forked after the parent connected
    second = driver.client()
    assert second is not first
    assert second.subnets() is not None  # the new channel works


def test_a_prefix_delegation_subnet_takes_its_delegated_cidr(pool, admin):
    # Neutron creates a PD subnet on ::/64 and updates its CIDR once the prefix is delegated
    network = new_id()
    _, spec = make_subnet(pool, "::/64", gateway="::1", network_id=network)
    _, second = make_subnet(pool, "::/64", gateway="::1", network_id=network)  # not an overlap: tenants of their own
    assert admin.subnet(spec["id"]).tenant == "pd-" + spec["id"]
    assert admin.subnet(second["id"]).tenant == "pd-" + second["id"]
    tenant = "net-" + network  # the delegated prefix joins its network's address space
    new_pools = [netaddr.IPRange("2001:db8:7::2", "2001:db8:7::ffff:ffff:ffff:ffff")]
    subnet = pool.update_subnet(update_request(pool, spec, cidr="2001:db8:7::/64", gateway_ip="2001:db8:7::1",
                                               allocation_pools=new_pools))
    info = admin.subnet(spec["id"])
    assert (info.cidr, info.gateway, info.tenant) == ("2001:db8:7::/64", "2001:db8:7::1", tenant)
    assert subnet.get_details().allocation_pools == new_pools
    ip = subnet.allocate(address_request(pool))
    assert netaddr.IPAddress(ip) in netaddr.IPNetwork("2001:db8:7::/64")


def test_subnet_create_and_delete_whose_answers_were_lost(pool, admin, monkeypatch):
    # CreateSubnet and DeleteSubnet carry no key: a retry finds the first try's work done and takes it as done
    lost = LostAnswers(monkeypatch, "CreateSubnet")
    subnet, spec = make_subnet(pool, "10.43.0.0/24")
    assert [m for m, _, _ in lost.sent].count("CreateSubnet") == 2
    assert admin.subnet(spec["id"]).cidr == "10.43.0.0/24" and subnet.subnet_id == spec["id"]
    lost = LostAnswers(monkeypatch, "DeleteSubnet")
    pool.remove_subnet(spec["id"])
    assert [m for m, _, _ in lost.sent].count("DeleteSubnet") == 2
    assert spec["id"] not in [s.id for s in admin.subnets()]
    # without a lost answer the same codes are still errors
    monkeypatch.undo()
    with pytest.raises(n_exc.SubnetNotFound):
        pool.remove_subnet(spec["id"])
    _, other = make_subnet(pool, "10.44.0.0/24")
    again = dict(other)
    with pytest.raises(ipam_exc.InvalidSubnetRequest, match="SUBNET_EXISTS"):
        pool.allocate_subnet(pool.get_subnet_request_factory().get_request(None, again, None))
