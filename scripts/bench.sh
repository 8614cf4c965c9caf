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
#  6. the broker on its PostgreSQL store (Storage:Provider=postgresql), in a second throwaway cluster
#     set back to durable commits (fsync, synchronous_commit, full_page_writes on), each node logging
#     in as a store login made by deploy/several-nodes.md's recipe and all nodes sharing one master
#     key: the lease issuance of 1. on ONE node (same clients, tokens and policy), then the same
#     clients split between TWO nodes over that one store (half on each, the two summed per round);
#     the identity revocation of 4. through the real PostgresIdentityStore (its block rule and audit
#     event committed with it); and the audit chain's cost, BENCH_PG_WRITERS (1,8,32) writers doing
#     transactions that write a lease row and its credential, without and with one audit event
#     appended through the real PostgresAuditAppender (which serialises every append on one row).
#
# Each measurement runs BENCH_ROUNDS times (default 3; BENCH_WARMUP s unrecorded, default 2, then
# BENCH_SECONDS s recorded, default 10) after BENCH_PRIME s (default 30: a fresh process spends its first
# 20-40 s compiling its hot paths again, tiered JIT) of priming each server, and the medians are reported;
# the lease issuance is also measured with 1 and with 8 clients (BENCH_LOW_CONCURRENCY, "1 8"), so the
# latency of one CI step is reported beside that of a saturated broker; BENCH_CONCURRENCY (32) and BENCH_SWEEP_LEASES (100000) set the rest. The
# PostgreSQL parts (5. and 6.) run BENCH_PG_ROUNDS rounds (default 3; 0 skips them all) of
# BENCH_PG_WARMUP s (1) + BENCH_PG_SECONDS s (3) per load, with the same clients; the store's nodes are
# primed 2 × BENCH_PRIME s first, and the audit points run once, BENCH_PG_WARMUP + BENCH_PG_SECONDS s each. The
# temp folder is made under BENCH_TMPDIR (default TMPDIR or /tmp): put it on the disk to measure.
# Only loopback traffic; every process and temp folder is removed on exit, failed or not.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rounds="${BENCH_ROUNDS:-3}"
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP:-2}"
prime="${BENCH_PRIME:-30}"
low_concurrency="${BENCH_LOW_CONCURRENCY:-1 8}"
concurrency="${BENCH_CONCURRENCY:-32}"
sweep_leases="${BENCH_SWEEP_LEASES:-100000}"
pg_rounds="${BENCH_PG_ROUNDS:-3}"
pg_seconds="${BENCH_PG_SECONDS:-3}"
pg_warmup="${BENCH_PG_WARMUP:-1}"
revoke_leases="${BENCH_REVOKE_LEASES:-100000}"
pg_writers="${BENCH_PG_WRITERS:-1,8,32}"

work="$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/sb-bench.XXXXXX")"
pids=()
pg_pid=""
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
# pg-cluster stops its PostgreSQL clusters when it is told to (and outlives the servers, which go first).
stop_pg_cluster() {
  if [ -n "$pg_pid" ]; then
    kill "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
  fi
  pg_pid=""
}
# Should pg-cluster have been killed outright, each server it started (by pg_ctl, outside this process
# tree; pg.folder lists their folders, one a line) is stopped here as the postgres user.
stop_postgres() {
  local folder pg_ctl
  pg_ctl="$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)"
  while IFS= read -r folder; do
    case "$folder" in /*/sb-pg-*) ;; *) continue ;; esac
    if [ -f "$folder/data/postmaster.pid" ]; then
      if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$pg_ctl" -D "$folder/data" stop -w -m immediate >/dev/null 2>&1 || true
      else
        "$pg_ctl" -D "$folder/data" stop -w -m immediate >/dev/null 2>&1 || true
      fi
    fi
    rm -rf "$folder"
  done < <(cat "$work/pg.folder" 2>/dev/null || true)
}
cleanup() {
  stop_servers
  stop_pg_cluster
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

# Servers are bounded in time too: should this script be killed outright, they still go. The store
# part adds two node starts and priming, per round two loads and a 200k-lease fill, and six audit points.
pg_load=$((${pg_seconds%.*} + ${pg_warmup%.*}))
limit=$((120 + 2 * rounds * (${seconds%.*} + ${warmup%.*} + 10) + pg_rounds * (3 * pg_load + 90)))
if [ "$pg_rounds" -gt 0 ]; then
  limit=$((limit + 120 + 2 * ${prime%.*} + pg_rounds * (2 * pg_load + 20 + 120) + 6 * (pg_load + 10)))
fi

say "setup: CI issuer, $concurrency tokens, policy"
"${bench[@]}" setup --dir "$work" --clients "$concurrency" --token-minutes 60
mapfile -t broker_args <"$work/broker.args"

pg_args=()
if [ "$pg_rounds" -gt 0 ]; then
  say "start a throwaway PostgreSQL on 127.0.0.1, and one for the broker's store"
  # Stores: the nodes', one per revocation round, one for the audit points.
  timeout -k 5 "$limit" "${bench[@]}" pg-cluster --dir "$work" --max-seconds "$limit" --stores $((pg_rounds + 2)) \
    >"$work/pg-cluster.log" 2>&1 &
  pg_pid="$!"
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
    --out "${5:-$results}" --seconds "${6:-$seconds}" --warmup "${7:-$warmup}" --concurrency "${8:-$concurrency}" --expect 201
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

for clients in $low_concurrency; do
  say "load: $rounds rounds of ${warmup} s warm-up + ${seconds} s of lease issuance with $clients client(s)"
  for round in $(seq 1 "$rounds"); do
    load "issue-at-$clients" "$broker_url" "$round" "$broker_pid" "$results" "$seconds" "$warmup" "$clients"
  done
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

if [ "$pg_rounds" -gt 0 ]; then
  say "start two broker nodes on the PostgreSQL store"
  store_args=(--Storage:Provider=postgresql --Storage:ConnectionStringFile="$work/store-0.conn" --Storage:Schema="$(cat "$work/store-0.schema")")
  # The first node starts alone: it makes the store, its master key and the initial admin token.
  timeout -k 5 "$limit" dotnet "$server" --urls http://127.0.0.1:0 --Broker:DataDirectory="$work/node1" "${broker_args[@]}" "${store_args[@]}" \
    >"$work/node1.log" 2>&1 &
  pids+=("$!")
  node1_url="$(address_of "$!" "$work/node1.log")"
  node1_pid="$(pgrep -P "$!" | head -n 1)"
  # Every node has the same master key, each in its own data folder (its own node id).
  mkdir -m 700 "$work/node2"
  install -m 600 "$work/node1/master.key" "$work/node2/master.key"
  timeout -k 5 "$limit" dotnet "$server" --urls http://127.0.0.1:0 --Broker:DataDirectory="$work/node2" "${broker_args[@]}" "${store_args[@]}" \
    >"$work/node2.log" 2>&1 &
  pids+=("$!")
  node2_url="$(address_of "$!" "$work/node2.log")"
  node2_pid="$(pgrep -P "$!" | head -n 1)"
  echo "node 1 $node1_url, node 2 $node2_url"
  BENCH_ADMIN_TOKEN="$(grep -o 'sbt_[A-Za-z0-9_-]*' "$work/node1.log" | head -n 1)" \
    "${bench[@]}" provision --url "$node1_url" --tokens "$work/tokens.tsv" --also-probe "$node2_url"

  # The clients split between the nodes: the first half on node 1, the rest on node 2, at the same time.
  half=$((concurrency / 2))
  two_nodes() {
    "${bench[@]}" load --kind pgstore-2node-1 --url "$node1_url" --round "$1" --server-pid "$node1_pid" --tokens "$work/tokens.tsv" \
      --out "$2" --seconds "$3" --warmup "$4" --concurrency "$half" --expect 201 &
    local first="$!"
    "${bench[@]}" load --kind pgstore-2node-2 --url "$node2_url" --round "$1" --server-pid "$node2_pid" --tokens "$work/tokens.tsv" \
      --out "$2" --seconds "$3" --warmup "$4" --concurrency $((concurrency - half)) --client-offset "$half" --expect 201 &
    local second="$!"
    wait "$first"
    wait "$second"
  }
  # A node answers a few hundred leases a second where the embedded broker answers thousands: to have
  # run its hot paths as often before the figures (tiered JIT), it is primed twice as long.
  say "prime both nodes for $((2 * ${prime%.*})) s (round 0, not counted)"
  two_nodes 0 "$work/prime.jsonl" $((2 * ${prime%.*})) 0
  say "PostgreSQL store: $pg_rounds rounds of ${pg_warmup} s warm-up + ${pg_seconds} s, $concurrency clients: one node, then two"
  for round in $(seq 1 "$pg_rounds"); do
    load pgstore-issue "$node1_url" "$round" "$node1_pid" "$results" "$pg_seconds" "$pg_warmup"
    two_nodes "$round" "$results" "$pg_seconds" "$pg_warmup"
  done
  stop_servers
  if grep -E "NpgsqlException|PostgresException|^crit:|^(fail|crit): Hangfire" "$work/node1.log" "$work/node2.log" >&2; then
    echo "bench: a node logged a PostgreSQL or job storage error" >&2
    exit 1
  fi
  say "node logs: no PostgreSQL error, no job storage error"

  say "PostgreSQL store: $pg_rounds rounds of $revoke_leases live leases of one identity"
  for round in $(seq 1 "$pg_rounds"); do
    "${bench[@]}" pgstore-revoke --dir "$work" --store "$round" --round "$round" --leases "$revoke_leases" --out "$results"
  done
  say "PostgreSQL store: the audit chain's cost, $pg_writers writers, ${pg_warmup} s warm-up + ${pg_seconds} s per point"
  "${bench[@]}" pgstore-audit --dir "$work" --store $((pg_rounds + 1)) --round 1 --writers "$pg_writers" \
    --seconds "$pg_seconds" --warmup "$pg_warmup" --out "$results"
  # The sweep and the embedded revocation below get the machine to themselves.
  stop_pg_cluster
fi

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
