"""`ipam neutron sync` against a real `ipam serve` and Neutron's own schema: a dry run reports, --apply repairs."""

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
from ipam_neutron import sync

HERE = pathlib.Path(__file__).resolve().parent
TOOLS = HERE.parents[1] / "tools"
ROOT = HERE.parents[2]


@pytest.fixture
def admin(server):
    with Client(server.target, token=ipam_server.ADMIN_TOKEN, timeout=60) as c:
        yield c


@pytest.fixture
def imported(tmp_path, admin):
    """A Neutron database of 3 subnets and 30 ports, imported into ipam: (engine, state)."""
    path = tmp_path / "neutron.sqlite"
    subprocess.run([sys.executable, str(TOOLS / "make_neutron_db.py"), str(path), "--subnets", "3", "--ports", "30",
                    "--seed", str(uuid.uuid4().int % 1000)], check=True, stderr=subprocess.DEVNULL)
    engine = sa.create_engine("sqlite:///%s" % path)
    state = importer.read_neutron(engine)
    assert importer.run_import(admin, state).ok
    return engine, state


def free_address(admin, subnet):
    """An address of the subnet's pools that nobody holds."""
    import netaddr
    for first, last in subnet.pools:
        for ip in netaddr.IPRange(first, last):
            if admin.owner(subnet.id, str(ip)) is None:
                return str(ip)
    raise AssertionError("no free address")


def test_in_step_after_an_import(imported, admin):
    engine, state = imported
    report = sync.run_sync(admin, engine, grace_ms=0, apply=False)
    assert report.in_step, report.to_dict()
    assert len(report.subnets) == 3


def test_a_dry_run_reports_every_kind_of_difference_and_changes_nothing_then_apply_repairs(imported, admin):
    engine, state = imported
    s = state.subnets[0]
    (lost, lost_port), (stolen, stolen_port), (gone, gone_port) = s.allocations[:3]
    admin.release(s.id, lost, lost_port)                      # a Neutron row free in ipam
    admin.release(s.id, stolen, stolen_port)
    intruder = str(uuid.uuid4())
    admin.allocate(s.id, intruder, address=stolen)            # a Neutron row held by another owner
    leaked_owner = str(uuid.uuid4())
    leaked = admin.allocate(s.id, leaked_owner, address=free_address(admin, s))  # held, no Neutron row
    with engine.begin() as conn:                              # a port Neutron deleted whose release never came
        conn.execute(sa.text("DELETE FROM ipallocations WHERE subnet_id = :s AND ip_address = :a"),
                     {"s": s.id, "a": gone})

    dry = sync.run_sync(admin, engine, grace_ms=0, apply=False).to_dict()
    assert not dry["in_step"] and not dry["applied"]
    (diff,) = dry["differences"]
    assert diff["subnet"] == s.id
    assert sorted((p["address"], p["owner"]) for p in diff["released"]) == sorted(
        [(leaked, leaked_owner), (gone, gone_port)])
    assert [(p["address"], p["owner"]) for p in diff["allocated"]] == [(lost, lost_port)]
    assert [(p["address"], p["owner"]) for p in diff["reowned"]] == [(stolen, stolen_port)]
    # nothing changed
    assert admin.owner(s.id, lost) is None and admin.owner(s.id, stolen) == intruder
    assert admin.owner(s.id, leaked) == leaked_owner and admin.owner(s.id, gone) == gone_port

    applied = sync.run_sync(admin, engine, grace_ms=0, apply=True).to_dict()
    assert applied["applied"] and applied["released"] == 2 and applied["allocated"] == 1 and applied["reowned"] == 1
    assert admin.owner(s.id, lost) == lost_port and admin.owner(s.id, stolen) == stolen_port
    assert admin.owner(s.id, leaked) is None and admin.owner(s.id, gone) is None
    assert sync.run_sync(admin, engine, grace_ms=0, apply=False).in_step


def test_an_allocation_younger_than_the_grace_is_left_alone(imported, admin):
    # a port being created holds its address in ipam before Neutron commits its row
    engine, state = imported
    s = state.subnets[1]
    in_flight = admin.allocate(s.id, str(uuid.uuid4()), address=free_address(admin, s))
    report = sync.run_sync(admin, engine, grace_ms=3_600_000, apply=True)
    assert report.in_step, report.to_dict()
    assert admin.owner(s.id, in_flight) is not None


def test_a_repair_for_a_port_whose_row_went_meanwhile_is_released_again(imported, admin, monkeypatch):
    engine, state = imported
    s = state.subnets[2]
    address, port = s.allocations[0]
    admin.release(s.id, address, port)
    reads = []
    real = sync.subnet_rows

    def rows(engine_, subnet_id):  # the port is deleted between the repair's read and its check after
        now = real(engine_, subnet_id)
        reads.append(subnet_id)
        if subnet_id == s.id and len([r for r in reads if r == s.id]) > 1:
            now.pop(address, None)
        return now

    monkeypatch.setattr(sync, "subnet_rows", rows)
    report = sync.run_sync(admin, engine, grace_ms=0, apply=True).to_dict()
    (diff,) = report["differences"]
    assert [(p["address"], p["owner"]) for p in diff["allocated"]] == [(address, port)]
    assert [(p["address"], p["owner"]) for p in diff["undone"]] == [(address, port)]
    assert admin.owner(s.id, address) is None


def test_subnets_are_reported_not_changed(imported, admin):
    engine, state = imported
    missing, changed = state.subnets[0], state.subnets[1]
    admin.delete_subnet(missing.id, force=True)
    first, last = changed.pools[0]
    admin.update_subnet(changed.id, pools=[(first, first)])
    extra = str(uuid.uuid4())
    admin.create_subnet(extra, "10.251.0.0/24", tenant="net-" + changed.network_id)
    report = sync.run_sync(admin, engine, grace_ms=0, apply=True).to_dict()
    assert [m.split()[1] for m in report["missing_in_ipam"]] == [missing.id]
    assert [m.split()[1] for m in report["extra_in_ipam"]] == [extra]
    assert len(report["definitions"]) == 1 and changed.id in report["definitions"][0]
    assert [(r.first, r.last) for r in admin.subnet(changed.id).pools] == [(first, first)]  # left as it is


def test_the_launcher_runs_sync_dry_run_exit_1_apply_exit_0_bad_grace_exit_2(imported, admin, server, tmp_path):
    engine, state = imported
    s = state.subnets[0]
    address, port = s.allocations[0]
    admin.release(s.id, address, port)
    token = tmp_path / "token"
    token.write_text(ipam_server.ADMIN_TOKEN + "\n")
    env = dict(os.environ, IPAM_NEUTRON_PYTHON=sys.executable)
    cmd = [str(ROOT / "ipam"), "neutron", "sync", "--server", server.target, "--token-file", str(token), "--db",
           str(engine.url), "--grace", "0"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "%s %s: Neutron's row, free in ipam: would be allocated to its port" % (address, port) in out.stdout
    assert admin.owner(s.id, address) is None
    out = subprocess.run(cmd + ["--apply", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["allocated"] == 1 and admin.owner(s.id, address) == port
    out = subprocess.run(cmd[:-1] + ["-5"], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "--grace" in out.stderr and "Traceback" not in out.stderr
