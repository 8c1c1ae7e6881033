"""The driver's connection to ``ipam serve``: one channel per process and setting, calls with retries, errors.

A call failing in transport (UNAVAILABLE, DEADLINE_EXCEEDED) or with OVERLOADED is retried up to ``[ipam] retries``
times; an allocation only when it carries a request key (the server then answers the retry with the first
answer, SPEC 9). The error mappers turn ipam's codes into the exceptions Neutron's reference driver raises.
"""

from __future__ import annotations

import os
import string
import threading
import time
import uuid
from typing import Dict, Optional

import grpc
from neutron_lib import exceptions as n_exc
from oslo_config import cfg
from oslo_log import log

from ipam_client import Client, IpamError, pb
from neutron.ipam import exceptions as ipam_exc

from ipam_neutron import config

LOG = log.getLogger(__name__)
config.register()

KEY_FIELD = "request_key"
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "._:-")


class IpamServerError(n_exc.ServiceUnavailable):
    """The ipam server could not be reached or refused a call for a reason that is not the request's fault."""

    message = "ipam server call %(method)s failed: %(reason)s"


# ----- connection --------------------------------------------------------------------------------------------

_clients: Dict[tuple, Client] = {}
_clients_lock = threading.Lock()


def client(conf: cfg.ConfigOpts = cfg.CONF) -> Client:
    """The process-wide client for the current ``[ipam]`` settings (one channel per distinct setting)."""
    group = conf.ipam
    try:
        server = config.validate_server(group.server)
    except ValueError as e:
        raise IpamServerError(method="connect", reason=str(e)) from None
    ca = group.tls_ca_file
    # the pid: neutron-server forks its API workers, and a gRPC channel does not survive a fork
    key = (os.getpid(), server, group.token, ca, group.timeout)
    with _clients_lock:
        c = _clients.get(key)
        if c is None:
            roots = None
            if ca:
                try:
                    with open(ca, "rb") as f:
                        roots = f.read()
                except OSError as e:
                    raise IpamServerError(method="connect", reason=f"[ipam] tls_ca_file {ca!r}: {e}") from None
            c = Client(server, token=group.token or None, root_certificates=roots, timeout=group.timeout)
            _clients[key] = c
        return c


def reset_clients() -> None:
    """Close every cached channel (tests; a config reload)."""
    with _clients_lock:
        for (pid, *_), c in _clients.items():
            if pid == os.getpid():
                c.close()
        _clients.clear()


def supports_request_keys(message_class=pb.AllocateRequest) -> bool:
    """Whether the server's API (the generated messages) has the ``request_key`` field."""
    return KEY_FIELD in message_class.DESCRIPTOR.fields_by_name


def new_request_key(context) -> str:
    """A key for one driver call: the Neutron request id (for tracing) and 128 random bits."""
    rid = getattr(context, "request_id", None) or "none"
    rid = "".join(ch for ch in str(rid) if ch in _KEY_CHARS)[:60]
    return f"neutron:{rid}:{uuid.uuid4().hex}"


def with_key(message, key: Optional[str]):
    """Set the request key on a message when the API has the field; return whether it was set."""
    if key is not None and KEY_FIELD in message.DESCRIPTOR.fields_by_name:
        setattr(message, KEY_FIELD, key)
        return True
    return False


def call(method: str, request, *, allocates: bool = False, conf: cfg.ConfigOpts = cfg.CONF):
    """One call, retried on UNAVAILABLE / DEADLINE_EXCEEDED / OVERLOADED up to ``[ipam] retries`` times.

    An allocation is retried only when it carries a request key (the server then answers the retry with
    the first answer); without one a retry after a lost answer could allocate a second address.
    Raises :class:`IpamError` (the caller maps it) once the attempts are used up; its ``retried`` is true
    when an earlier attempt may have been applied (its answer was lost).
    """
    keyed = allocates and bool(getattr(request, KEY_FIELD, ""))
    attempts = 1 + conf.ipam.retries if (not allocates or keyed) else 1
    c = client(conf)
    for attempt in range(attempts):
        try:
            return c.call(method, request)
        except IpamError as e:
            e.retried = attempt > 0
            retry = e.status in _RETRYABLE or e.code == "OVERLOADED"
            if not retry or attempt + 1 >= attempts:
                raise
            LOG.debug("ipam %s failed (%s), attempt %d of %d", method, e, attempt + 1, attempts)
            time.sleep(min(0.05 * 2 ** attempt, 1.0))


# ----- errors ------------------------------------------------------------------------------------------------

def server_error(method: str, e: IpamError) -> IpamServerError:
    return IpamServerError(method=method, reason=str(e))


def subnet_error(method: str, e: IpamError, subnet_id: str) -> Exception:
    """Errors of subnet definition calls (create, update, delete)."""
    if e.code == "SUBNET_NOT_FOUND":
        return n_exc.SubnetNotFound(subnet_id=subnet_id)
    if e.code in ("SUBNET_EXISTS", "SUBNET_OVERLAP", "MALFORMED", "CIDR_INVALID", "POOL_INVALID",
                  "POOL_OUT_OF_BOUNDS", "POOL_OVERLAP", "GATEWAY_INVALID", "GATEWAY_IN_POOL", "GATEWAY_IN_USE",
                  "LIMIT_EXCEEDED"):
        return ipam_exc.InvalidSubnetRequest(reason=f"ipam {e.code}: {e.message}")
    return server_error(method, e)


def address_error(method: str, e: IpamError, subnet_id: str, ip: Optional[str]) -> Exception:
    """Errors of allocation calls, as the reference driver raises them."""
    if e.code == "EXHAUSTED":
        return ipam_exc.IpAddressGenerationFailure(subnet_id=subnet_id)
    if e.code == "ADDRESS_TAKEN":
        return ipam_exc.IpAddressAlreadyAllocated(subnet_id=subnet_id, ip=ip)
    if e.code == "ADDRESS_INVALID":
        return ipam_exc.InvalidIpForSubnet(subnet_id=subnet_id, ip=ip)
    if e.code == "SUBNET_NOT_FOUND":
        return n_exc.SubnetNotFound(subnet_id=subnet_id)
    if e.code in ("MALFORMED", "BULK_TOO_LARGE", "LIMIT_EXCEEDED"):
        return n_exc.InvalidInput(error_message=f"ipam {e.code}: {e.message}")
    return server_error(method, e)


def outcome_unknown(e: IpamError) -> bool:
    """Whether a failed call may have been applied: its (last) answer was lost in transport."""
    return e.status in _RETRYABLE
