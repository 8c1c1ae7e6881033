#!/usr/bin/env bash
# Regenerate the Python messages and stubs from proto/ (needs the pinned grpcio-tools of requirements.txt).
set -euo pipefail
cd "$(dirname "$0")"
python -m grpc_tools.protoc -I../../proto --python_out=src --pyi_out=src --grpc_python_out=src \
  ../../proto/ipam/v1/ipam.proto
