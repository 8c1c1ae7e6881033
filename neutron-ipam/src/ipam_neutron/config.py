"""The ``[ipam]`` section of Neutron's configuration: where ``ipam serve`` is and how to reach it."""

from __future__ import annotations

from oslo_config import cfg

from ipam_neutron.servers import validate_server  # noqa: F401  (config.validate_server for callers)

GROUP = "ipam"

OPTS = [
    cfg.StrOpt("server", default="127.0.0.1:7600",
               help="HOST:PORT of the ipam serve gRPC endpoint (IPv6 as [ADDR]:PORT)."),
    cfg.StrOpt("token", secret=True,
               help="Bearer token sent with every call. It must be an administrator token ('TOKEN *' in the "
                    "server's --tokens file): each Neutron network is its own ipam address space (tenant)."),
    cfg.StrOpt("tls_ca_file",
               help="PEM file of the CA that signed the server's certificate: set, the driver talks TLS and "
                    "verifies the server against it; unset, plaintext (loopback only)."),
    cfg.FloatOpt("timeout", default=10.0, min=0.1,
                 help="Seconds each call may take before it fails (DEADLINE_EXCEEDED)."),
    cfg.IntOpt("retries", default=3, min=0,
               help="Extra attempts of a call that failed with UNAVAILABLE or DEADLINE_EXCEEDED. An allocation "
                    "is retried only when the server understands request keys, with the same key, so a retry "
                    "never allocates twice."),
    cfg.BoolOpt("strict_anycast", default=False,
                help="Who may take an IPv6 subnet's network address (the subnet-router anycast address, Neutron's "
                     "gateway of an IPv6 subnet created without one). false (Neutron's rule): a router's port "
                     "(device_owner in ROUTER_PORT_OWNERS) and a port with no device_owner; true: router ports only, "
                     "a port with no owner asking for it gets 400 InvalidIpForSubnet."),
]

def register(conf: cfg.ConfigOpts = cfg.CONF) -> None:
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
