"""custom_script over https with the address pinned: the connection goes to the checked IP while
TLS names the host (SNI) and the certificate is checked against the host, not the IP."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from execution.custom_script import client as client_module
from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_script import FakeScript
from tests.fixtures.servers import StartServer
from tests.steps.conftest import final_status, reason, run_served, script_services

HOST = "scripts.test"


@pytest.fixture
def certificate(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A self-signed certificate for HOST (its own CA): (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    yield cert_file, key_file


@pytest.fixture
def resolve_to_loopback(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host resolves (once) to 127.0.0.2, where the TLS endpoint listens."""
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address]:
        lookups.append(host)
        return [ipaddress.IPv4Address("127.0.0.2")]

    monkeypatch.setattr(client_module, "resolve", resolve)
    return lookups


@pytest.mark.parametrize(("name", "ok"), [(HOST, True), ("other.test", False)])
async def test_tls_names_the_host_while_the_connection_goes_to_the_checked_address(
        start_server: StartServer, certificate: tuple[Path, Path], resolve_to_loopback: list[str],
        name: str, ok: bool) -> None:
    cert_file, key_file = certificate
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)
    async with FakeScript(host="127.0.0.2", ssl_context=served) as script:
        base = f"https://{name}:{script.port}"
        services = script_services(allowed_urls=base, allowed_networks="127.0.0.2/32", ca_file=str(cert_file))
        events = await run_served(start_server, services, pb_request([pb_node("s", "custom_script",
                                                                              endpoint=f"{base}/run")], []))
    status = final_status(events, "s")
    assert resolve_to_loopback == [name]
    if ok:
        assert status.status == events_pb2.NODE_STATUS_COMPLETE
        assert script.requests[0].headers["Host"] == f"{HOST}:{script.port}"
    else:  # the certificate is HOST's: checked against the name, not the IP, it does not verify
        assert (reason(status), status.retryable) == ("PROVIDER_ERROR", False)
        assert f"{base}/run: TLS failed: " in status.message and "other.test" in status.message
        assert not script.requests
