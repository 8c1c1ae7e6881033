"""One real `ipam serve` for the whole session, shared by the driver tests and Neutron's suites."""

import os
import time
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


def _pair_key(item):
    """(suite class without its driver, test name, driver): the two drivers' runs of one test side by side."""
    cls = item.cls.__name__ if item.cls is not None else ""
    driver = 1 if "Ipam" in cls else 0
    return cls.replace("Internal", "").replace("Ipam", ""), item.name, driver


def pytest_collection_modifyitems(session, config, items):
    """With IPAM_NEUTRON_PAIRED set (run-suites), each test runs with the internal driver and then with ipam's
    before the next test, so that a run stopped early (run-suites --minutes) still compares whole pairs."""
    if not os.environ.get("IPAM_NEUTRON_PAIRED"):
        return
    first = {}
    for i, item in enumerate(items):
        first.setdefault(_pair_key(item)[0], i)
    items.sort(key=lambda item: (first[_pair_key(item)[0]],) + _pair_key(item)[1:])


def pytest_runtest_teardown(item, nextitem):
    """With IPAM_NEUTRON_STOP_AT (epoch seconds; run-suites --minutes) passed, stop after a whole pair: the
    session ends as after an interrupt (pytest writes its JUnit file), the next pair not started."""
    stop_at = os.environ.get("IPAM_NEUTRON_STOP_AT")
    if not stop_at or time.time() < float(stop_at):
        return
    if nextitem is None or _pair_key(nextitem)[:2] != _pair_key(item)[:2]:
        item.session.shouldstop = "run-suites --minutes: time is up"
