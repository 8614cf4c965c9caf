#!/usr/bin/env bash
# Builds sbctl for CI runners: one self-contained, single-file executable per runtime (nothing else to
# install on the runner, no .NET), with a SHA-256 file beside each in sha256sum's format.
#   ./scripts/publish.sh                 # linux-x64 and linux-arm64
#   ./scripts/publish.sh linux-x64       # only the runtimes named
# Output: artifacts/sbctl/sbctl-<runtime> and artifacts/sbctl/sbctl-<runtime>.sha256
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

runtimes=("$@")
[ "${#runtimes[@]}" -eq 0 ] && runtimes=(linux-x64 linux-arm64)

out="$repo/artifacts/sbctl"
mkdir -p "$out"
for runtime in "${runtimes[@]}"; do
  case "$runtime" in
    linux-x64 | linux-arm64) ;;
    *) echo "publish.sh: unknown runtime '$runtime' (linux-x64 or linux-arm64)" >&2; exit 2 ;;
  esac

  staging="$(mktemp -d)"
  # SbctlRuntime, not -r: see src/SecretsBroker.Cli/SecretsBroker.Cli.csproj.
  dotnet publish src/SecretsBroker.Cli/SecretsBroker.Cli.csproj -c Release -nologo -p:SbctlRuntime="$runtime" -o "$staging"
  install -m 0755 "$staging/sbctl" "$out/sbctl-$runtime"
  rm -rf "$staging"
  # The file names the binary by its base name, so 'sha256sum -c' works in whatever folder both are copied to.
  (cd "$out" && sha256sum "sbctl-$runtime" > "sbctl-$runtime.sha256")
  echo "$out/sbctl-$runtime ($(du -h "$out/sbctl-$runtime" | cut -f1)): $(cut -d' ' -f1 "$out/sbctl-$runtime.sha256")"
done
