"""The ``[ipam] server`` setting's form, without oslo.config (the ``ipam neutron`` commands start fast)."""

import re

_SERVER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def validate_server(server: str) -> str:
    """Return the target if it is HOST:PORT with a port in 1..65535; raise ValueError naming it otherwise."""
    m = _SERVER.match(server or "")
    if not m or not 1 <= int(m.group(2)) <= 65535:
        raise ValueError(f"[ipam] server must be HOST:PORT (port 1-65535), got {server!r}")
    return server
