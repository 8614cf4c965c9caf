#!/usr/bin/env bash
# Starts the broker on the embedded default: one SQLite file under .broker-data/ at the top of the
# repository, listening on 127.0.0.1:8200 only. The first start creates the master key file and
# prints an initial admin token once. Extra arguments go to the broker (e.g. --urls=...).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
exec dotnet run --project "$repo/src/SecretsBroker.Server" -c Release -- \
  --Broker:DataDirectory="$repo/.broker-data" "$@"
