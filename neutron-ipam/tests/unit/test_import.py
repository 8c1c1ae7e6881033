"""`ipam neutron import` and `restore-internal` against a real `ipam serve` and Neutron's own schema."""

import json
import os
import pathlib
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

import ipam_server
from ipam_client import Client
from ipam_neutron import importer

HERE = pathlib.Path(__file__).resolve().parent
TOOLS = HERE.parents[1] / "tools"
ROOT = HERE.parents[2]


@pytest.fixture
def admin(server):
    with Client(server.target, token=ipam_server.ADMIN_TOKEN, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def neutron_db(tmp_path_factory):
    """A Neutron database (Neutron's schema): 20 subnets in 2 networks, 300 ports, one fixed IP each."""
    path = tmp_path_factory.mktemp("neutron") / "neutron.sqlite"
    subprocess.run([sys.executable, str(TOOLS / "make_neutron_db.py"), str(path), "--subnets", "20",
                    "--ports", "300", "--seed", str(uuid.uuid4().int % 1000)], check=True, stderr=subprocess.DEVNULL)
    return path


def rows(path, sql):
    with sa.create_engine("sqlite:///%s" % path).connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_import_holds_every_neutron_address_for_its_port_and_a_second_run_changes_nothing(neutron_db, admin):
    state = importer.read_neutron(sa.create_engine("sqlite:///%s" % neutron_db))
    assert len(state.subnets) == 20 and state.ports == 300
    first = importer.run_import(admin, state)
    assert first.ok, first.to_dict()
    assert first.changes == 20 + 300  # a subnet created and an address allocated, each one change
    for address, port, subnet_id in rows(neutron_db, "SELECT ip_address, port_id, subnet_id FROM ipallocations"):
        assert admin.owner(subnet_id, address) == port
    networks = {s.network_id for s in state.subnets}
    for s in state.subnets:
        held = admin.subnet(s.id)
        assert held.tenant == "net-" + s.network_id and held.cidr == s.cidr
        assert [(r.first, r.last) for r in held.pools] == s.pools
        assert held.allocated == len(s.allocations)
    assert len(networks) == 2

    second = importer.run_import(admin, importer.read_neutron(sa.create_engine("sqlite:///%s" % neutron_db)))
    assert second.ok and second.changes == 0
    assert second.to_dict()["present"] == 20


def test_import_reports_an_address_ipam_gives_another_owner_and_a_subnet_defined_otherwise(tmp_path, admin):
    path = tmp_path / "neutron.sqlite"
    subprocess.run([sys.executable, str(TOOLS / "make_neutron_db.py"), str(path), "--subnets", "3",
                    "--ports", "30"], check=True, stderr=subprocess.DEVNULL)
    state = importer.read_neutron(sa.create_engine("sqlite:///%s" % path))
    taken = state.subnets[0]
    address, port = taken.allocations[0]
    other = state.subnets[1]
    # ipam already holds subnet 0 (as the driver would) with one of Neutron's addresses given to another owner,
    # and subnet 1 with another CIDR
    admin.create_subnet(taken.id, taken.cidr, gateway=taken.gateway_ip, pools=taken.pools,
                        tenant="net-" + taken.network_id)
    intruder = str(uuid.uuid4())
    admin.allocate(taken.id, intruder, address=address)
    admin.create_subnet(other.id, "192.0.2.0/24", tenant="net-" + other.network_id)

    report = importer.run_import(admin, state).to_dict()
    assert not report["ok"]
    bad = {m["subnet"]: m for m in report["mismatched"]}
    assert set(bad) == {taken.id, other.id}
    assert bad[taken.id]["state"] == "present"
    assert bad[taken.id]["problems"] == ["%s: Neutron's port %s, ipam's owner %s" % (address, port, intruder)]
    assert bad[other.id]["state"] == "different"
    assert admin.owner(taken.id, address) == intruder  # the import never takes an address from its holder


def test_the_launcher_runs_the_import_and_exits_1_on_a_failed_check_2_on_bad_input(neutron_db, server, tmp_path):
    token = tmp_path / "token"
    token.write_text(ipam_server.ADMIN_TOKEN + "\n")
    env = dict(os.environ, IPAM_NEUTRON_PYTHON=sys.executable)
    cmd = [str(ROOT / "ipam"), "neutron", "import", "--server", server.target, "--token-file", str(token)]
    out = subprocess.run(cmd + ["--db", "sqlite:///%s" % neutron_db, "--json"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ok"] is True

    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "--db URL is required" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run(cmd + ["--db", "sqlite:///%s" % (tmp_path / "none" / "x.sqlite")], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "database" in out.stderr and "Traceback" not in out.stderr
    wrong = tmp_path / "wrong"
    wrong.write_text("not-a-token-of-the-server\n")
    out = subprocess.run([str(ROOT / "ipam"), "neutron", "import", "--server", server.target, "--token-file",
                          str(wrong), "--db", "sqlite:///%s" % neutron_db], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 2 and "UNAUTHENTICATED" in out.stderr and "Traceback" not in out.stderr


def test_restore_internal_rebuilds_the_internal_drivers_tables_from_the_api_tables(neutron_db):
    engine = sa.create_engine("sqlite:///%s" % neutron_db)
    assert importer.restore_internal(engine) == {"subnets": 20, "pools": len(rows(neutron_db, "SELECT id FROM "
                                                                                "ipallocationpools")),
                                                  "allocations": 300}
    again = importer.restore_internal(engine)  # idempotent: the tables are rebuilt, not added to
    assert again["allocations"] == 300
    assert rows(neutron_db, "SELECT count(*) FROM ipamallocations")[0][0] == 300
    joined = rows(neutron_db, "SELECT a.ip_address, s.neutron_subnet_id FROM ipamallocations a JOIN ipamsubnets s "
                              "ON a.ipam_subnet_id = s.id ORDER BY 1, 2")
    assert joined == sorted(rows(neutron_db, "SELECT ip_address, subnet_id FROM ipallocations"))


def test_import_keeps_the_drivers_rules_for_placeholders_anycast_gateways_and_subnets_without_pools(tmp_path, admin):
    path = tmp_path / "neutron.sqlite"
    subprocess.run([sys.executable, str(TOOLS / "make_neutron_db.py"), str(path), "--subnets", "1", "--ports", "1"],
                   check=True, stderr=subprocess.DEVNULL)
    engine = sa.create_engine("sqlite:///%s" % path)
    network = rows(path, "SELECT id FROM networks")[0][0]
    ids = [str(uuid.uuid4()) for _ in range(4)]
    port = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO standardattributes (id, resource_type, revision_number) VALUES "
                             "(:i, 'subnets', 0)"), [{"i": 900001 + n} for n in range(4)])
        insert = sa.text("INSERT INTO subnets (id, project_id, name, network_id, ip_version, cidr, gateway_ip, "
                         "enable_dhcp, subnetpool_id, standard_attr_id) "
                         "VALUES (:id, 'p', '', :net, 6, :cidr, :gw, 1, :pool, :std)")
        # two prefix-delegation placeholders on one network (Neutron allows it), and a subnet with Neutron's
        # IPv6 default gateway (the network address) and no pools
        conn.execute(insert, {"id": ids[0], "net": network, "cidr": "::/64", "gw": "::1", "pool": "prefix_delegation",
                              "std": 900001})
        conn.execute(insert, {"id": ids[1], "net": network, "cidr": "::/64", "gw": "::1", "pool": "prefix_delegation",
                              "std": 900002})
        conn.execute(insert, {"id": ids[2], "net": network, "cidr": "2001:db8:77::/64", "gw": "2001:db8:77::",
                              "pool": None, "std": 900003})
        # and an IPv6 /48 (Neutron's floating-IP networks): batches do not reach it, single calls do
        conn.execute(insert, {"id": ids[3], "net": network, "cidr": "2001:db8:480::/48", "gw": "2001:db8:480::1",
                              "pool": None, "std": 900004})
        conn.execute(sa.text("INSERT INTO ipallocationpools (id, subnet_id, first_ip, last_ip) VALUES "
                             "(:i, :s, :f, :l)"), [{"i": str(uuid.uuid4()), "s": ids[0], "f": "::2", "l": "::ffff"},
                                                   {"i": str(uuid.uuid4()), "s": ids[1], "f": "::2", "l": "::ffff"},
                                                   {"i": str(uuid.uuid4()), "s": ids[3], "f": "2001:db8:480::2",
                                                    "l": "2001:db8:480:ffff:ffff:ffff:ffff:ffff"}])
        conn.execute(sa.text("INSERT INTO ipallocations (port_id, ip_address, subnet_id, network_id) VALUES "
                             "(:p, :a, :s, :n)"), [{"p": port, "a": "2001:db8:77::5", "s": ids[2], "n": network},
                                                   {"p": port, "a": "2001:db8:480:7::9", "s": ids[3], "n": network}])
    report = importer.run_import(admin, importer.read_neutron(engine))
    assert report.ok, report.to_dict()
    assert [admin.subnet(i).tenant for i in ids[:2]] == ["pd-" + ids[0], "pd-" + ids[1]]
    anycast = admin.subnet(ids[2])
    assert anycast.tenant == "net-" + network and list(anycast.pools) == []
    assert anycast.gateway == "2001:db8:77::"  # Neutron's IPv6 default gateway, kept as given (SPEC 1)
    assert admin.owner(ids[2], "2001:db8:77::5") == port
    assert admin.subnet(ids[3]).cidr == "2001:db8:480::/48" and admin.owner(ids[3], "2001:db8:480:7::9") == port
