#!/usr/bin/env bash
# Benchmarks the broker on this machine and prints the figures; the last line is one JSON object.
#
#  1. lease issuance over HTTP: the real broker (Release build, its own process, embedded SQLite with
#     synchronous=FULL and group commit) on 127.0.0.1, BENCH_CONCURRENCY clients each with its own CI
#     token, every request a new lease (verify token, decide, mint an ES256 JWT, persist, audit, answer);
#  2. next to it, in the same rounds and with the same client: a bare Kestrel minimal API answering
#     the same POST with a small JSON object;
#  3. the expiry sweep: BENCH_SWEEP_LEASES active leases past expiry in a real SQLite file, timed
#     until all are revoked by the broker's own ExpirySweep and LeaseRevoker (JWT provider);
#  4. a compromised identity: BENCH_REVOKE_LEASES (100000) live leases of one identity beside as many
#     of others, timed from the revoke call until the one statement (with its block rule) is durably
#     committed (the broker-side part of POST /v1/identities/revoke; key revoke_identity_100k_s).
#  5. PostgreSQL leases against a throwaway local cluster (TestSupport's PostgresCluster, 127.0.0.1,
#     fsync off), in the same broker: issuance (POST /v1/leases for the postgresql role, every request
#     a new LOGIN role), then revocation of every lease issued (DELETE /v1/leases/{id} as the operator,
#     timed until the broker's revoker has dropped every role in PostgreSQL), next to the bare
#     CREATE ROLE … LOGIN PASSWORD … VALID UNTIL … and DROP ROLE rates over Npgsql, same concurrency.
#
# Each measurement runs BENCH_ROUNDS times (default 3; BENCH_WARMUP s unrecorded, default 2, then
# BENCH_SECONDS s recorded, default 10) after BENCH_PRIME s (default 5) of priming each server, and the
# medians are reported; BENCH_CONCURRENCY (32) and BENCH_SWEEP_LEASES (100000) set the rest. The
# PostgreSQL part runs BENCH_PG_ROUNDS rounds (default 3; 0 skips it) of BENCH_PG_WARMUP s (1) +
# BENCH_PG_SECONDS s (3) per load, with the same clients. The
# temp folder is made under BENCH_TMPDIR (default TMPDIR or /tmp): put it on the disk to measure.
# Only loopback traffic; every process and temp folder is removed on exit, failed or not.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rounds="${BENCH_ROUNDS:-3}"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-2}"
prime="${BENCH_PRIME:-5}"
concurrency="${BENCH_CONCURRENCY:-32}"
sweep_leases="${BENCH_SWEEP_LEASES:-100000}"
pg_rounds="${BENCH_PG_ROUNDS:-3}"
pg_seconds="${BENCH_PG_SECONDS:-3}"
pg_warmup="${BENCH_PG_WARMUP:-1}"
revoke_leases="${BENCH_REVOKE_LEASES:-100000}"

work="$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/sb-bench.XXXXXX")"
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
# pg-cluster stops its PostgreSQL when it is told to; should it have been killed outright, the
# server (started by pg_ctl, outside this process tree) is stopped here as the postgres user.
stop_postgres() {
  local folder
  folder="$(cat "$work/pg.folder" 2>/dev/null || true)"
  case "$folder" in /*/sb-pg-*) ;; *) return 0 ;; esac
  if [ -f "$folder/data/postmaster.pid" ]; then
    local pg_ctl
    pg_ctl="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$pg_ctl" -D "$folder/data" stop -w -m immediate >/dev/null 2>&1 || true
    else
      "$pg_ctl" -D "$folder/data" stop -w -m immediate >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$folder"
}
cleanup() {
  stop_servers
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*"; }

# Waits (at most 60 s) for a server started in the background to print its address into its log.
address_of() {
  local pid="$1" log="$2" address=""
  for _ in $(seq 1 300); do
    address="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)"
    [ -n "$address" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: the server exited before listening:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  if [ -z "$address" ]; then
    echo "bench: no address after 60 s:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "$address"
}

# Waits (at most 120 s) for a helper started in the background to write its file.
file_of() {
  local pid="$1" file="$2" log="$3"
  for _ in $(seq 1 600); do
    [ -s "$file" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: $(basename "$file") was never written:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "bench: no $(basename "$file") after 120 s:" >&2
  cat "$log" >&2
  exit 1
}

say "build (Release)"
if ! dotnet build tests/SecretsBroker.Bench/SecretsBroker.Bench.csproj -c Release >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  exit 1
fi
bench=(dotnet tests/SecretsBroker.Bench/bin/Release/net10.0/SecretsBroker.Bench.dll)
server=src/SecretsBroker.Server/bin/Release/net10.0/SecretsBroker.Server.dll

# Servers are bounded in time too: should this script be killed outright, they still go.
limit=$((120 + 2 * rounds * (${seconds%.*} + ${warmup%.*} + 10) + pg_rounds * (3 * (${pg_seconds%.*} + ${pg_warmup%.*}) + 90)))

say "setup: CI issuer, $concurrency tokens, policy"
"${bench[@]}" setup --dir "$work" --clients "$concurrency" --token-minutes 60
mapfile -t broker_args <"$work/broker.args"

pg_args=()
if [ "$pg_rounds" -gt 0 ]; then
  say "start a throwaway PostgreSQL on 127.0.0.1"
  timeout -k 5 "$limit" "${bench[@]}" pg-cluster --dir "$work" --max-seconds "$limit" >"$work/pg-cluster.log" 2>&1 &
  pids+=("$!")
  file_of "$!" "$work/pg.json" "$work/pg-cluster.log"
  cat "$work/pg-cluster.log"
  pg_args=(--pg "$work/pg.json")
fi

say "start the broker and the bare endpoint"
timeout -k 5 "$limit" dotnet "$server" --urls http://127.0.0.1:0 --Broker:DataDirectory="$work/broker" "${broker_args[@]}" \
  >"$work/broker.log" 2>&1 &
pids+=("$!")
broker_url="$(address_of "$!" "$work/broker.log")"
broker_pid="$(pgrep -P "$!" | head -n 1)"
timeout -k 5 "$limit" "${bench[@]}" baseline --max-seconds "$limit" >"$work/baseline.log" 2>&1 &
pids+=("$!")
baseline_url="$(address_of "$!" "$work/baseline.log")"
baseline_pid="$(pgrep -P "$!" | head -n 1)"
echo "broker $broker_url, bare endpoint $baseline_url"

BENCH_ADMIN_TOKEN="$(grep -o 'sbt_[A-Za-z0-9_-]*' "$work/broker.log" | head -n 1)" \
  "${bench[@]}" provision --url "$broker_url" --tokens "$work/tokens.tsv" "${pg_args[@]}"

results="$work/results.jsonl"
load() {
  "${bench[@]}" load --kind "$1" --url "$2" --round "$3" ${4:+--server-pid "$4"} --tokens "$work/tokens.tsv" \
    --out "${5:-$results}" --seconds "${6:-$seconds}" --warmup "${7:-$warmup}" --concurrency "$concurrency" --expect 201
}
# The machine may be shared: what else was running is part of the figures.
loadavg="$(cut -d ' ' -f 1-3 /proc/loadavg)"
# A fresh process spends its first seconds compiling its hot paths again (tiered JIT): round 0
# primes both servers and is not counted.
say "prime both servers for ${prime} s (round 0, not counted)"
load baseline "$baseline_url" 0 "$baseline_pid" "$work/prime.jsonl" "$prime" 0
load issue "$broker_url" 0 "$broker_pid" "$work/prime.jsonl" "$prime" 0

say "load: $rounds rounds of ${warmup} s warm-up + ${seconds} s, $concurrency clients, each endpoint in turn"
for round in $(seq 1 "$rounds"); do
  load baseline "$baseline_url" "$round" "$baseline_pid"
  load issue "$broker_url" "$round" "$broker_pid"
done

if [ "$pg_rounds" -gt 0 ]; then
  say "PostgreSQL leases: $pg_rounds rounds of ${pg_warmup} s warm-up + ${pg_seconds} s, $concurrency clients: issue, revoke, bare CREATE/DROP ROLE"
  for round in $(seq 1 "$pg_rounds"); do
    issued="$work/pg-leases-$round.tsv"
    "${bench[@]}" load --kind pg-issue --role bench-pg --ids-out "$issued" --url "$broker_url" --round "$round" \
      --server-pid "$broker_pid" --tokens "$work/tokens.tsv" --out "$results" --seconds "$pg_seconds" --warmup "$pg_warmup" \
      --concurrency "$concurrency" --expect 201
    BENCH_ADMIN_TOKEN="$(grep -o 'sbt_[A-Za-z0-9_-]*' "$work/broker.log" | head -n 1)" \
      "${bench[@]}" pg-revoke --url "$broker_url" --leases "$issued" --pg "$work/pg.json" --round "$round" \
      --concurrency "$concurrency" --out "$results" --max-seconds 120
    "${bench[@]}" pg-bare --pg "$work/pg.json" --round "$round" --concurrency "$concurrency" --out "$results" \
      --seconds "$pg_seconds" --warmup "$pg_warmup"
  done
fi

# The servers go before the sweep, which gets the machine to itself.
stop_servers

# Jobs have their own SQLite file beside the database, both written through the load: a locked
# database or an error of Hangfire's storage in the broker's log fails the run.
if grep -E "database is locked|SQLiteException|^(fail|crit): Hangfire" "$work/broker.log" >&2; then
  echo "bench: the broker logged a locked database or a job storage error" >&2
  exit 1
fi
say "broker log: no locked database, no job storage error"

say "sweep: $rounds rounds of $sweep_leases expired leases"
for round in $(seq 1 "$rounds"); do
  "${bench[@]}" sweep --dir "$work" --round "$round" --leases "$sweep_leases" --out "$results"
done

say "revoke: $rounds rounds of $revoke_leases live leases of one identity"
for round in $(seq 1 "$rounds"); do
  "${bench[@]}" revoke --dir "$work" --round "$round" --leases "$revoke_leases" --out "$results"
done

"${bench[@]}" report --results "$results" --concurrency "$concurrency" --seconds "$seconds" \
  --nproc "$(nproc)" \
  --cpu "$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
  --memory-kb "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" \
  --filesystem "$(df -T "$work" | awk 'NR == 2 { print $2 }')" \
  --kernel "$(uname -sr)" \
  --loadavg "$loadavg" \
  --date "$(date -u +%Y-%m-%d)"
