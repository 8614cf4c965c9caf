#!/usr/bin/env bash
# Starts the broker on the embedded default: one SQLite file under .broker-data/ at the top of the
# repository, listening on 127.0.0.1:8200 only. The first start creates the master key file and
# prints an initial admin token once.
#
# Settings: a JSON file shaped like deploy/config/appsettings.Production.json.example, named by
# SECRETSBROKER_CONFIG or, when that is unset, appsettings.Local.json at the top of the repository
# if it exists (git ignores it). Environment variables (Broker__DataDirectory=...) and extra
# arguments (--Urls=http://127.0.0.1:8300) reach the broker too, and win over the file. The broker
# runs from the top of the repository, so relative paths in settings start there.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -n "${SECRETSBROKER_CONFIG:-}" ]]; then
  # Named from where this script was run: made absolute before the broker runs from elsewhere.
  SECRETSBROKER_CONFIG="$(cd "$(dirname "$SECRETSBROKER_CONFIG")" && pwd)/$(basename "$SECRETSBROKER_CONFIG")"
  export SECRETSBROKER_CONFIG
elif [[ -f "$repo/appsettings.Local.json" ]]; then
  export SECRETSBROKER_CONFIG="$repo/appsettings.Local.json"
fi

# Built, then run from the top of the repository (dotnet run would run it from the project's folder):
# the built-in data folder is the relative .broker-data, so it is the repository's own, and a
# settings file, a variable or an argument that names another one wins.
dotnet build "$repo/src/SecretsBroker.Server" -c Release --nologo -v quiet >&2
cd "$repo"
exec dotnet "$repo/src/SecretsBroker.Server/bin/Release/net10.0/SecretsBroker.Server.dll" "$@"
