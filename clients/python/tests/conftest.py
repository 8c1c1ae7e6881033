"""Starts a real `ipam serve` (through the repository's ./ipam launcher) on a free loopback port."""

import contextlib
import os
import pathlib
import re
import signal
import subprocess
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
ADMIN = "py-admin-token-000000001"
TENANT = "py-tenant-token-00000001"


class Server:
    def __init__(self, process, target, lines):
        self.process = process
        self.target = target
        self.lines = lines


@contextlib.contextmanager
def serving(directory, tokens_text, *extra):
    """`ipam serve --memory` on a free loopback port with a tokens file in `directory` and `extra` options; yields a
    Server once it says where it listens, stops it with SIGTERM and checks it stopped cleanly."""
    tokens = directory / "tokens"
    tokens.write_text(tokens_text)
    tokens.chmod(0o600)
    launcher = os.environ.get("IPAM_LAUNCHER", str(ROOT / "ipam"))
    process = subprocess.Popen(
        [launcher, "serve", "--memory", "--listen", "127.0.0.1:0", "--tokens", str(tokens), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    found = threading.Event()
    target = {}

    def read():
        for line in process.stdout:
            lines.append(line)
            m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
            if m:
                target["value"] = m.group(1)
                found.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 300  # the launcher may build the jar first
    while not found.wait(0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("ipam serve did not start:\n" + "".join(lines))
    yield Server(process, target["value"], lines)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, "".join(lines)
    assert any("stopped" in line for line in lines), "".join(lines)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("serve"), f"{ADMIN} *\n{TENANT} tenant-a\n") as s:
        yield s
