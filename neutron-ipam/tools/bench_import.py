"""`ipam neutron import` of a generated Neutron database (make_neutron_db.py) into a fresh `ipam serve --memory`,
run twice through the repository's launcher, timed from outside (process start to exit).

    python tools/bench_import.py [--subnets 100] [--ports 10000] [--db FILE]

Prints one JSON line per run: wall seconds, the import's own report (changes made in ipam, the count check),
and the 1-minute load average before and after, so that a figure can be called quiet or loaded.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "tests"))

import ipam_server  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--subnets", type=int, default=100)
    p.add_argument("--ports", type=int, default=10000)
    p.add_argument("--db", help="an existing Neutron SQLite file (default: generate one)")
    p.add_argument("--runs", type=int, default=2)
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ipam-import-bench-") as tmp:
        db = a.db
        if db is None:
            db = os.path.join(tmp, "neutron.sqlite")
            subprocess.run([sys.executable, str(HERE / "make_neutron_db.py"), db, "--subnets", str(a.subnets),
                            "--ports", str(a.ports)], check=True, stderr=subprocess.DEVNULL)
        token = os.path.join(tmp, "token")
        pathlib.Path(token).write_text(ipam_server.ADMIN_TOKEN + "\n")
        server = ipam_server.Server()
        rc = 0
        try:
            env = dict(os.environ, IPAM_NEUTRON_PYTHON=sys.executable)
            for run in range(1, a.runs + 1):
                load = os.getloadavg()[0]
                began = time.monotonic()
                out = subprocess.run([str(ROOT / "ipam"), "neutron", "import", "--db", "sqlite:///" + db,
                                      "--server", server.target, "--token-file", token, "--json"],
                                     env=env, capture_output=True, text=True)
                wall = time.monotonic() - began
                try:
                    report = json.loads(out.stdout)
                except ValueError:
                    print(out.stdout, out.stderr, file=sys.stderr)
                    return 1
                rc = rc or out.returncode
                print(json.dumps({"run": run, "wall_seconds": round(wall, 2), "import_seconds": report["seconds"],
                                  "exit": out.returncode, "subnets": report["subnets"],
                                  "created": report["created"], "allocations": report["allocations"],
                                  "changes": report["changes"], "check": report["ok"],
                                  "load_1m_before_after": [round(load, 2), round(os.getloadavg()[0], 2)]}))
        finally:
            server.stop()
        return rc


if __name__ == "__main__":
    sys.exit(main())
