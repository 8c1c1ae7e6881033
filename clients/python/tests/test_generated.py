"""The checked-in generated code is what the pinned grpcio-tools makes of proto/ today."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
SRC = ROOT / "clients" / "python" / "src"


def test_generated_code_matches_the_proto(tmp_path):
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'proto'}", f"--python_out={tmp_path}",
                    f"--pyi_out={tmp_path}", f"--grpc_python_out={tmp_path}",
                    str(ROOT / "proto" / "ipam" / "v1" / "ipam.proto")], check=True)
    for name in ("ipam_pb2.py", "ipam_pb2.pyi", "ipam_pb2_grpc.py"):
        fresh = (tmp_path / "ipam" / "v1" / name).read_text()
        kept = (SRC / "ipam" / "v1" / name).read_text()
        assert fresh == kept, f"src/ipam/v1/{name} is stale: run clients/python/regenerate.sh"
