#!/usr/bin/env bash
# Runs every check and test: the OpenAPI validator's npm packages (npm ci), restore (locked on CI), build with warnings as errors, the published
# sbctl (scripts/publish.sh linux-x64, which the runner tests run), formatting, then the unit and
# integration tests. Ends with one line "N passed, N failed"; a failed build or
# format check counts as one failure each, so the line never says "0 failed" when something broke.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
checks_failed=0

step() { echo; echo "== $*"; }

locked=()
[ "${CI:-}" = "true" ] && locked=(--locked-mode)

# require CHECK PACKAGE WHY: runs CHECK (a shell test); when it fails, installs the Debian PACKAGE with
# apt-get (a fresh machine, as CI is, may lack it) and stops with a failure when that cannot be done.
require() {
  local check="$1" package="$2" why="$3"
  step "$package"
  echo "$why"
  if ! eval "$check" >/dev/null 2>&1; then
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >/dev/null; then
      echo "could not install $package (apt-get install $package)"
      echo "0 passed, 1 failed"
      exit 1
    fi
  fi
}

require 'compgen -G "/usr/lib/postgresql/*/bin/initdb"' postgresql \
  "The PostgreSQL tests start throwaway clusters from the server binaries."
ls -d /usr/lib/postgresql/*/bin
require 'command -v promtool' prometheus \
  "The monitoring tests check deploy/monitoring's alert rules and a real scrape with promtool."
command -v promtool
require 'command -v node' nodejs \
  "The GitHub action's tests run deploy/ci/github with node, as a runner does."
node --version
require 'command -v npm' npm \
  "The OpenAPI tests validate the served document with an npm package; Debian's nodejs comes without npm."
npm --version

step "openapi validator (npm ci)"
# Exactly the locked versions; the validator test fails (never skips) without them.
if ! (cd tests/SecretsBroker.IntegrationTests/OpenApi/validator && npm ci --no-audit --no-fund); then
  echo "npm ci failed in tests/SecretsBroker.IntegrationTests/OpenApi/validator"
  checks_failed=$((checks_failed + 1))
fi

step "restore"
if ! dotnet restore SecretsBroker.sln "${locked[@]}"; then
  echo "0 passed, 1 failed"
  exit 1
fi

step "build (warnings are errors)"
if ! dotnet build SecretsBroker.sln -c Release --no-restore; then
  echo "0 passed, 1 failed"
  exit 1
fi

step "publish sbctl for linux-x64"
# The runner tests run the published single-file sbctl with .NET hidden, as a CI runner without .NET would.
if ! ./scripts/publish.sh linux-x64; then
  echo "publish.sh failed: the runner tests need artifacts/sbctl/sbctl-linux-x64"
  checks_failed=$((checks_failed + 1))
fi

step "format"
if ! dotnet format SecretsBroker.sln --verify-no-changes --no-restore; then
  echo "formatting differs: run 'dotnet format SecretsBroker.sln'"
  checks_failed=$((checks_failed + 1))
fi

step "tests"
dotnet test SecretsBroker.sln -c Release --no-build --logger "trx" --results-directory "$results"
test_exit=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without a failed test (a crash, or no results): count it.
  failed=1
fi
failed=$((failed + checks_failed))

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
