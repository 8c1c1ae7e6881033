"""One real `ipam serve` for the whole session, shared by the driver tests and Neutron's suites."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import ipam_server  # noqa: E402


@pytest.fixture(scope="session")
def server():
    return ipam_server.shared()


def pytest_sessionfinish(session, exitstatus):
    stopped = ipam_server.stop_shared()
    if stopped is not None and stopped[0] != 0:
        print("ipam serve exited %s:\n%s" % stopped, file=sys.stderr)
        session.exitstatus = 1
