"""Transport security for the clients: the system's trust store, client certificates, and the plaintext warning.

grpcio verifies servers against its own bundled roots unless it is given roots; :func:`system_roots` reads the
operating system's store instead (``SSL_CERT_FILE`` first, as OpenSSL does, then Python's default verify
file, then the usual bundle paths of Debian/Ubuntu, RHEL/Fedora, SUSE and Alpine), so a private CA installed
the system's way is trusted.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import warnings
from typing import Optional

import grpc

__all__ = ["system_roots", "credentials", "is_loopback", "warn_if_plaintext_token", "PlaintextTokenWarning"]

_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine (ca-certificates)
    "/etc/pki/tls/certs/ca-bundle.crt",  # RHEL, Fedora, CentOS
    "/etc/ssl/ca-bundle.pem",  # SUSE
    "/etc/ssl/cert.pem",  # Alpine, macOS, BSDs
)


class PlaintextTokenWarning(UserWarning):
    """A bearer token is about to travel unencrypted beyond this machine."""


def system_roots() -> bytes:
    """The system's trusted CA certificates (PEM).

    :raises FileNotFoundError: when no store can be found (name one with ``SSL_CERT_FILE``).
    """
    candidates = [os.environ.get("SSL_CERT_FILE"), ssl.get_default_verify_paths().cafile, *_BUNDLES]
    for path in candidates:
        if path and os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            if b"-----BEGIN CERTIFICATE-----" in data:
                return data
    raise FileNotFoundError("no system CA bundle found (looked at SSL_CERT_FILE, Python's default verify file and "
                            + ", ".join(_BUNDLES) + "); pass root_certificates or set SSL_CERT_FILE")


def credentials(tls: Optional[bool], root_certificates: Optional[bytes], certificate_chain: Optional[bytes],
                private_key: Optional[bytes]) -> Optional[grpc.ChannelCredentials]:
    """Channel credentials for the clients' options, or None for plaintext.

    ``tls`` None means TLS when any certificate is given; roots default to :func:`system_roots`; a client
    certificate needs its key and the other way round.
    """
    if (certificate_chain is None) != (private_key is None):
        raise ValueError("a client certificate needs both certificate_chain and private_key")
    wanted = tls if tls is not None else any(x is not None for x in (root_certificates, certificate_chain))
    if not wanted:
        if root_certificates is not None or certificate_chain is not None:
            raise ValueError("tls=False with certificates given")
        return None
    return grpc.ssl_channel_credentials(root_certificates=root_certificates or system_roots(),
                                        private_key=private_key, certificate_chain=certificate_chain)


def _host(target: str) -> str:
    t = target
    for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:"):
        if t.startswith(prefix):
            t = t[len(prefix):]
            break
    t = t.rsplit("/", 1)[-1]
    if t.startswith("["):
        return t[1:t.find("]")]
    if t.count(":") == 1:
        return t.split(":")[0]
    return t  # a bare IPv6 address, or a host without a port


def is_loopback(target: str) -> bool:
    """Whether a target names this machine (localhost, 127.0.0.0/8, ::1, a unix socket)."""
    if target.startswith("unix:"):
        return True
    host = _host(target)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def warn_if_plaintext_token(target: str, token: Optional[str], creds: Optional[grpc.ChannelCredentials]) -> bool:
    """Warn (:class:`PlaintextTokenWarning`) when a token would go unencrypted to a host other than loopback."""
    if token and creds is None and not is_loopback(target):
        warnings.warn(f"sending a bearer token to {target} without TLS: anyone on the path can read and reuse it "
                      "(pass root_certificates or tls=True)", PlaintextTokenWarning, stacklevel=3)
        return True
    return False
