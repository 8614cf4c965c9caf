#!/usr/bin/env bash
# Runs sbctl from source. Set SECRETSBROKER_TOKEN (and SECRETSBROKER_ADDR if not 127.0.0.1:8200).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
exec dotnet run --project "$repo/src/SecretsBroker.Cli" -c Release -- "$@"
