"""Starts a real `ipam serve` (the repository's ./ipam launcher) on a free loopback port, in memory."""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "neutron-admin-token-0000001"
TENANT_TOKEN = "neutron-tenant-token-000001"


class Server:
    """A running `ipam serve --memory` with a tokens file: ADMIN_TOKEN is '*', TENANT_TOKEN is tenant-a."""

    def __init__(self, start_timeout: float = 300.0):
        self._dir = tempfile.TemporaryDirectory(prefix="ipam-neutron-")
        tokens = pathlib.Path(self._dir.name) / "tokens"
        tokens.write_text(f"{ADMIN_TOKEN} *\n{TENANT_TOKEN} tenant-a\n")
        tokens.chmod(0o600)
        launcher = os.environ.get("IPAM_LAUNCHER", str(ROOT / "ipam"))
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [launcher, "serve", "--memory", "--listen", "127.0.0.1:0", "--tokens", str(tokens)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found = threading.Event()
        target = {}

        def read():
            for line in self.process.stdout:
                self.lines.append(line)
                m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
                if m:
                    target["value"] = m.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + start_timeout  # the launcher may build the jar first
        while not found.wait(0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("ipam serve did not start:\n" + "".join(self.lines))
        self.target = target["value"]

    def stop(self) -> int:
        """SIGTERM, wait for the drain; returns the exit code (0 expected)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._dir.cleanup()
        return self.process.returncode


_shared = None
_shared_lock = threading.Lock()


def shared() -> Server:
    """The process's one server, started on first use (fixtures and the Neutron suites' setUp ask for it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Server()
        return _shared


def stop_shared():
    """Stop the shared server if one was started; returns (exit code, output) or None."""
    global _shared
    with _shared_lock:
        if _shared is None:
            return None
        server, _shared = _shared, None
    return server.stop(), "".join(server.lines)
