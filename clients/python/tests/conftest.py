"""Starts a real `ipam serve` (through the repository's ./ipam launcher) on a free loopback port."""

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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    tokens = tmp / "tokens"
    tokens.write_text(f"{ADMIN} *\n{TENANT} tenant-a\n")
    tokens.chmod(0o600)
    launcher = os.environ.get("IPAM_LAUNCHER", str(ROOT / "ipam"))
    process = subprocess.Popen(
        [launcher, "serve", "--memory", "--listen", "127.0.0.1:0", "--tokens", str(tokens)],
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
