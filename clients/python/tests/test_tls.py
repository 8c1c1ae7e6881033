"""TLS from Python: the system's trust store (SSL_CERT_FILE, as OpenSSL reads it), client certificates against a
server that requires them, and the warning for a token sent in plaintext beyond loopback."""

import subprocess
import asyncio
import warnings

import grpc
import pytest

from ipam_client import Client, IpamError, pb, tls
from ipam_client.aio import AsyncClient

from conftest import serving

TOKEN = "py-tls-admin-token-0001"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA (openssl)."""
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-subj", "/CN=ipam test CA", "-days", "2", cwd=d)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
                      ("client", "extendedKeyUsage=clientAuth")):
        (d / f"{name}.ext").write_text(ext + "\n")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key", cwd=d)
        openssl("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN=ipam test {name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "other-ca.key", "-out", "other-ca.pem", "-subj", "/CN=another CA", "-days", "2", cwd=d)
    return d


@pytest.fixture(scope="module")
def tls_server(pki):
    with serving(pki, f"{TOKEN} *\n", "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"),
                 "--client-ca", str(pki / "ca.pem")) as s:
        yield s.target


def read(pki, name):
    return (pki / name).read_bytes()


def test_system_trust_store_and_client_certificate(pki, tls_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "ca.pem"))  # the CA installed "in the system's store"
    assert tls.system_roots() == read(pki, "ca.pem")
    with Client(tls_server, token=TOKEN, tls=True, certificate_chain=read(pki, "client.pem"),
                private_key=read(pki, "client.key")) as c:
        assert isinstance(c.subnets(), list)


def test_explicit_roots_and_client_certificate_on_the_aio_client(pki, tls_server):
    async def go():
        async with AsyncClient(tls_server, token=TOKEN, root_certificates=read(pki, "ca.pem"),
                               certificate_chain=read(pki, "client.pem"), private_key=read(pki, "client.key")) as c:
            sid = "tls-aio"
            await c.create_subnet(sid, "10.31.0.0/29", lowest=True)
            address = await c.allocate(sid, "00000000-0000-0000-0000-000000000009")
            await c.delete_subnet(sid, force=True)
            return address, (await c.call("ListSubnets", pb.ListSubnetsRequest())).subnets
    address, subnets = asyncio.run(go())
    assert address == "10.31.0.2" and "tls-aio" not in [s.id for s in subnets]


def test_server_not_in_the_trust_store_is_refused(pki, tls_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "other-ca.pem"))
    with Client(tls_server, token=TOKEN, tls=True, certificate_chain=read(pki, "client.pem"),
                private_key=read(pki, "client.key"), timeout=5) as c:
        with pytest.raises(IpamError) as e:
            c.subnets()
    assert e.value.status == grpc.StatusCode.UNAVAILABLE


def test_a_server_that_requires_a_client_certificate_refuses_a_client_without_one(pki, tls_server):
    with Client(tls_server, token=TOKEN, root_certificates=read(pki, "ca.pem"), timeout=5) as c:
        with pytest.raises(IpamError) as e:
            c.subnets()
    assert e.value.status == grpc.StatusCode.UNAVAILABLE


def test_half_a_client_certificate_is_refused(pki):
    with pytest.raises(ValueError):
        Client("127.0.0.1:1", certificate_chain=read(pki, "client.pem"))
    with pytest.raises(ValueError):
        Client("127.0.0.1:1", tls=False, root_certificates=read(pki, "ca.pem"))


def test_no_system_store_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setattr(tls, "_BUNDLES", ())
    monkeypatch.setattr(tls.ssl, "get_default_verify_paths", lambda: type("P", (), {"cafile": None})())
    with pytest.raises(FileNotFoundError, match="SSL_CERT_FILE"):
        tls.system_roots()


def test_a_token_in_plaintext_beyond_loopback_warns():
    with pytest.warns(tls.PlaintextTokenWarning, match="without TLS"):
        Client("192.0.2.1:7600", token=TOKEN).close()  # a documentation address: never connected to
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Client("127.0.0.1:7600", token=TOKEN).close()
        Client("[::1]:7600", token=TOKEN).close()
        Client("localhost:7600", token=TOKEN).close()
        Client("192.0.2.1:7600").close()  # no token, nothing to leak
    assert [tls.is_loopback(t) for t in ("127.0.0.2:1", "dns:///localhost:1", "ipv4:10.1.2.3:1", "unix:/x")] == \
        [True, True, False, True]
