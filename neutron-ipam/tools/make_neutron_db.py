"""Write a Neutron database (Neutron's own schema, from its models) with N subnets and M ports, for the import.

    python tools/make_neutron_db.py OUT.sqlite [--subnets 100] [--ports 10000] [--seed 1]

Networks of 10 subnets each, IPv4 /22 subnets (10.x.y.0/22, gateway .1, one pool .2-.1022 as Neutron makes it
unless the subnet number is a multiple of 7: two pools, as after an update), every port one fixed IP on its
subnet, spread over the pool at random (a fixed seed), a tenth of the subnets from a subnet pool and a tenth
IPv6 /64 (addresses spread over the whole pool). Rows are inserted with SQLAlchemy Core; the schema is
neutron.db.migration.models.head, so every table the import reads is Neutron's.
"""

import argparse
import ipaddress
import os
import random
import sys
import uuid

import sqlalchemy as sa
from neutron.db.migration.models import head  # noqa: F401  every model on the metadata
from neutron_lib.db import model_base


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--subnets", type=int, default=100)
    p.add_argument("--ports", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    if os.path.exists(a.out):
        os.unlink(a.out)
    rnd = random.Random(a.seed)
    engine = sa.create_engine("sqlite:///" + a.out)
    md = model_base.BASEV2.metadata
    md.create_all(engine)
    t = md.tables
    std_id = [0]

    def std(kind):
        std_id[0] += 1
        return {"id": std_id[0], "resource_type": kind, "revision_number": 0, "created_at": None}

    project = "bench-project"
    std_rows, networks, subnets, pools, ports, allocs, spools, sprefixes = [], [], [], [], [], [], [], []
    pool_id = str(uuid.uuid4())
    std_rows.append(std("subnetpools"))
    spools.append({"id": pool_id, "project_id": project, "name": "bench", "ip_version": 4, "default_prefixlen": 22,
                   "min_prefixlen": 8, "max_prefixlen": 30, "shared": False, "default_quota": None, "hash": "",
                   "address_scope_id": None, "is_default": False, "standard_attr_id": std_id[0]})
    sprefixes.append({"cidr": "10.200.0.0/16", "subnetpool_id": pool_id})
    net_id = None
    subnet_defs = []
    for i in range(a.subnets):
        if i % 10 == 0:
            net_id = str(uuid.uuid4())
            std_rows.append(std("networks"))
            networks.append({"id": net_id, "project_id": project, "name": f"net{i // 10}", "status": "ACTIVE",
                             "admin_state_up": True, "vlan_transparent": None, "mtu": 1500,
                             "availability_zone_hints": None, "standard_attr_id": std_id[0]})
        sid = str(uuid.uuid4())
        v6 = i % 10 == 9
        from_pool = i % 10 == 5
        if v6:
            net = ipaddress.ip_network(f"2001:db8:{i:x}::/64")
        elif from_pool:
            net = ipaddress.ip_network(f"10.200.{(i // 10) * 4}.0/22")
        else:
            net = ipaddress.ip_network(f"10.{i // 64}.{(i % 64) * 4}.0/22")
        gw = net.network_address + 1
        first, last = net.network_address + 2, (net.broadcast_address - 1 if not v6 else net.broadcast_address)
        if i % 7 == 0 and not v6:
            mid = net.network_address + 512
            ranges = [(first, mid - 1), (mid + 1, last)]
        else:
            ranges = [(first, last)]
        std_rows.append(std("subnets"))
        subnets.append({"id": sid, "project_id": project, "name": f"s{i}", "network_id": net_id, "segment_id": None,
                        "subnetpool_id": pool_id if from_pool else None, "ip_version": 6 if v6 else 4,
                        "cidr": str(net), "gateway_ip": str(gw), "enable_dhcp": True, "ipv6_ra_mode": None,
                        "ipv6_address_mode": "dhcpv6-stateful" if v6 else None, "standard_attr_id": std_id[0]})
        for f, l in ranges:
            pools.append({"id": str(uuid.uuid4()), "subnet_id": sid, "first_ip": str(f), "last_ip": str(l)})
        subnet_defs.append((sid, net_id, ranges))
    for j in range(a.ports):
        sid, nid, ranges = subnet_defs[j % len(subnet_defs)]
        port_id = str(uuid.uuid4())
        std_rows.append(std("ports"))
        ports.append({"id": port_id, "project_id": project, "name": "", "network_id": nid,
                      "mac_address": "fa:16:3e:%02x:%02x:%02x" % (j >> 16 & 255, j >> 8 & 255, j & 255),
                      "admin_state_up": True, "status": "ACTIVE", "device_id": "", "device_owner": "compute:nova",
                      "ip_allocation": None, "standard_attr_id": std_id[0]})
        allocs.append((sid, nid, port_id, ranges))
    taken = set()
    alloc_rows = []
    for sid, nid, port_id, ranges in allocs:
        while True:
            f, l = ranges[rnd.randrange(len(ranges))]
            addr = f + rnd.randrange(int(l) - int(f) + 1)
            if (sid, addr) not in taken:
                taken.add((sid, addr))
                break
        alloc_rows.append({"port_id": port_id, "ip_address": str(addr), "subnet_id": sid, "network_id": nid})
    with engine.begin() as conn:
        conn.execute(t["standardattributes"].insert(), std_rows)
        conn.execute(t["subnetpools"].insert(), spools)
        conn.execute(t["subnetpoolprefixes"].insert(), sprefixes)
        conn.execute(t["networks"].insert(), networks)
        conn.execute(t["subnets"].insert(), subnets)
        conn.execute(t["ipallocationpools"].insert(), pools)
        conn.execute(t["ports"].insert(), ports)
        conn.execute(t["ipallocations"].insert(), alloc_rows)
    print(f"{a.out}: {len(networks)} networks, {len(subnets)} subnets, {len(ports)} ports", file=sys.stderr)


if __name__ == "__main__":
    main()
