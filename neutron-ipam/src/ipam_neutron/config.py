"""The ``[ipam]`` section of Neutron's configuration: where ``ipam serve`` is and how to reach it."""

from __future__ import annotations

import re

from oslo_config import cfg

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
]

_SERVER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def register(conf: cfg.ConfigOpts = cfg.CONF) -> None:
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]


def validate_server(server: str) -> str:
    """Return the target if it is HOST:PORT with a port in 1..65535; raise ValueError naming it otherwise."""
    m = _SERVER.match(server or "")
    if not m or not 1 <= int(m.group(2)) <= 65535:
        raise ValueError(f"[ipam] server must be HOST:PORT (port 1-65535), got {server!r}")
    return server
