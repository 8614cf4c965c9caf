#!/usr/bin/env bash
# Where the broker's CPU goes per JWT lease: a table of microseconds of broker CPU per lease by
# category, the bytes it allocates and the GC pauses per lease, and a last line of one JSON object
# with the same figures.
#
# What it measures: the real broker (Release build, its own process, embedded SQLite, as in
# scripts/bench.sh) under PROFILE_CONCURRENCY clients (32), every request a new JWT lease. After
# PROFILE_PRIME s (30) of priming (tiered JIT), the broker is sampled by `perf record -g -F
# PROFILE_FREQUENCY` (499 Hz) for PROFILE_SECONDS s (20) of load, while dotnet-counters reads its
# allocation and GC pause counters. The leases are those the load counted in the same window.
#
# How to read it: "us/lease" is the broker's CPU time per lease (user + system from /proc, the figure
# bench.sh reports as server_cpu_us_per_request) split in proportion to the CPU time of each
# category's perf samples, so the rows add up to it; "perf estimate" is the samples' own total, a
# cross-check (it has come out 5-10 % under /proc's on a loaded machine). A sample goes to the
# category of its leaf (innermost) frame or, when that frame belongs to no one in particular (libc,
# the base class library, an unnamed frame), to the nearest caller that does: a Dictionary lookup
# called from routing counts as ASP.NET Core. SQLite, libcrypto and libc are built without frame
# pointers, so their samples have no callers: SQLite's rows go by its own function names (prepare,
# execute, pages/WAL/commit, memory), and libc's samples without a managed or runtime caller are most
# likely SQLite's or libcrypto's. libcoreclr has no symbols: the runtime's row (allocation, casts,
# stubs) is not split further. Thread names take precedence: the GC's, the tiered compiler's, the
# console logger's and Hangfire's threads are rows of their own. "total without JIT" leaves out the
# compilation still going on after the priming. "other" is what no pattern recognised; should it
# grow, the most frequent leaf frames the run prints show what to add.
#
# Runs on any commit whose tests/SecretsBroker.Bench has setup, provision, and load with
# --server-pid (all of them from 883de0a on): copy this file into that commit's worktree and run it
# there. Needs perf (as root, or with kernel.perf_event_paranoid <= 1); dotnet-counters is taken from
# PATH or ~/.dotnet/tools, or installed into the temp folder, and without it the allocation figures
# are null. PROFILE_KEEP names a folder to keep the resolved samples (perf.txt, perf script's text),
# the load's result, the counters and the broker's log in. The temp folder is made under
# PROFILE_TMPDIR (default TMPDIR or /tmp). Every process, temp folder and perf map is removed on
# exit, failed or not.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

prime="${PROFILE_PRIME:-30}"
seconds="${PROFILE_SECONDS:-20}"
warmup="${PROFILE_WARMUP:-2}"
concurrency="${PROFILE_CONCURRENCY:-32}"
frequency="${PROFILE_FREQUENCY:-499}"
keep="${PROFILE_KEEP:-}"

work="$(mktemp -d "${PROFILE_TMPDIR:-${TMPDIR:-/tmp}}/sb-profile.XXXXXX")"
pids=()
broker_pid=""
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # The runtime writes its perf map to /tmp whatever TMPDIR says.
  if [ -n "$broker_pid" ]; then
    rm -f "/tmp/perf-$broker_pid.map" "/tmp/perfinfo-$broker_pid.map"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "== $*"; }
fail() {
  echo "profile: $*" >&2
  exit 1
}

say "build (Release)"
if ! dotnet build tests/SecretsBroker.Bench/SecretsBroker.Bench.csproj -c Release >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  exit 1
fi
bench=(dotnet tests/SecretsBroker.Bench/bin/Release/net10.0/SecretsBroker.Bench.dll)
server=src/SecretsBroker.Server/bin/Release/net10.0/SecretsBroker.Server.dll

command -v perf >/dev/null || fail "perf is not installed"
counters="$(command -v dotnet-counters || true)"
[ -z "$counters" ] && [ -x "$HOME/.dotnet/tools/dotnet-counters" ] && counters="$HOME/.dotnet/tools/dotnet-counters"
if [ -z "$counters" ]; then
  if dotnet tool install dotnet-counters --tool-path "$work/tools" >"$work/tools.log" 2>&1; then
    counters="$work/tools/dotnet-counters"
  else
    echo "profile: dotnet-counters could not be installed; no allocation figures" >&2
  fi
fi

# The broker and its helpers are bounded in time too, should this script be killed outright.
limit=$((300 + ${prime%.*} + ${seconds%.*}))

say "setup: CI issuer, $concurrency tokens, policy"
# The broker watches the policy file's folder: nothing else is written there, or each write of a log
# or of perf.data would wake its file watcher and be counted as a cost of the leases.
setup="$work/setup"
mkdir -m 700 "$setup"
"${bench[@]}" setup --dir "$setup" --clients "$concurrency" --token-minutes 60
mapfile -t broker_args <"$setup/broker.args"

say "start the broker"
# PerfMapEnabled=3 writes /tmp/perf-PID.map (names of JIT-compiled methods) and no jitdump. With
# W^X on, the runtime maps its code through a memfd that perf cannot name from that map: it is off
# for this run, which makes the broker a little faster than bench.sh's.
DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0 \
  timeout -k 5 "$limit" dotnet "$server" --urls http://127.0.0.1:0 --Broker:DataDirectory="$work/broker" "${broker_args[@]}" \
  >"$work/broker.log" 2>&1 &
pids+=("$!")
broker_url=""
for _ in $(seq 1 300); do
  broker_url="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/broker.log" | head -n 1)"
  [ -n "$broker_url" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/broker.log" >&2; fail "the broker exited before listening"; }
  sleep 0.2
done
[ -n "$broker_url" ] || { cat "$work/broker.log" >&2; fail "no address after 60 s"; }
broker_pid="$(pgrep -P "${pids[0]}" | head -n 1)"
echo "broker $broker_url (pid $broker_pid)"

# perf refuses early (permissions, no perf_event_open in this container) rather than after the priming.
perf record -F "$frequency" -g -p "$broker_pid" -o "$work/check.data" -- sleep 0.2 >"$work/check.log" 2>&1 ||
  { cat "$work/check.log" >&2; fail "perf cannot record the broker (root, or kernel.perf_event_paranoid <= 1)"; }

BENCH_ADMIN_TOKEN="$(grep -o 'sbt_[A-Za-z0-9_-]*' "$work/broker.log" | head -n 1)" \
  "${bench[@]}" provision --url "$broker_url" --tokens "$setup/tokens.tsv"

load() {
  "${bench[@]}" load --kind issue --url "$broker_url" --round "$1" --server-pid "$broker_pid" --tokens "$setup/tokens.tsv" \
    --out "$2" --seconds "$3" --warmup "$4" --concurrency "$concurrency" --expect 201
}
say "prime the broker for ${prime} s (not profiled)"
load 0 "$work/prime.jsonl" "$prime" 0

loadavg="$(cut -d ' ' -f 1-3 /proc/loadavg)"
say "profile ${seconds} s of lease issuance ($concurrency clients, perf at $frequency Hz, after ${warmup} s of warm-up)"
load 1 "$work/load.jsonl" "$seconds" "$warmup" &
load_pid="$!"
pids+=("$load_pid")
# The load counts from its start plus the warm-up; its own start-up (about half a second) is waited
# for too, so the samples and the counted leases cover the same seconds to a few percent.
sleep "$(awk -v w="$warmup" 'BEGIN { print w + 0.5 }')"
if [ -n "$counters" ]; then
  "$counters" collect -p "$broker_pid" --refresh-interval 1 --format csv -o "$work/counters.csv" \
    --counters 'System.Runtime[dotnet.gc.heap.total_allocated,dotnet.gc.pause.time]' \
    --duration "$(printf '00:00:%02d:%02d' $((${seconds%.*} / 60)) $((${seconds%.*} % 60)))" >"$work/counters.log" 2>&1 &
  pids+=("$!")
fi
perf record -F "$frequency" -g -p "$broker_pid" -o "$work/perf.data" -- sleep "$seconds" >"$work/perf.log" 2>&1 ||
  { cat "$work/perf.log" >&2; fail "perf record failed"; }
wait "$load_pid"
if [ -n "$counters" ] && ! wait "${pids[-1]}"; then
  echo "profile: dotnet-counters failed: $(tail -n 3 "$work/counters.log")" >&2
fi
grep -h 'Captured and wrote' "$work/perf.log" || true

load_line="$(tail -n 1 "$work/load.jsonl")"
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$load_line"; }
leases="$(field requests)"
per_s="$(field per_s)"
cpu_us="$(field server_cpu_us_per_request)"
[ -n "$leases" ] && [ "$leases" -gt 0 ] || fail "no lease was issued in the profiled window: $load_line"
[ -n "$cpu_us" ] || fail "the load did not measure the broker's CPU: $load_line"

# dotnet-counters writes one increment per second and counter: bytes allocated and seconds paused.
alloc_bytes="null"
gc_pause_us="null"
if [ -s "$work/counters.csv" ]; then
  read -r alloc_bytes gc_pause_us < <(awk -F, -v per_s="$per_s" '
    $3 ~ /^dotnet.gc.heap.total_allocated/ { bytes += $5; n++ }
    $3 ~ /^dotnet.gc.pause.time/ { pause += $5; m++ }
    END {
      if (n == 0 || per_s == 0) { print "null null"; exit }
      printf "%.0f %.1f\n", bytes / n / per_s, (m == 0 ? 0 : pause / m / per_s * 1e6)
    }' "$work/counters.csv")
fi

# Samples, one block each: a header (thread name, tid, period: the CPU time the sample stands for,
# in ns) and its frames, innermost first.
perf script -i "$work/perf.data" -F comm,tid,period,ip,sym,dso >"$work/perf.txt" 2>"$work/perf-script.log"
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$work/perf.txt" "$work/load.jsonl" "$work/broker.log" "$keep/"
  if [ -s "$work/counters.csv" ]; then cp "$work/counters.csv" "$keep/"; fi
fi

say "broker CPU per lease by category"
echo "load: $load_line"
echo "load average before the run: $loadavg; $(nproc) cores"
awk -v leases="$leases" -v cpu_us="$cpu_us" -v frequency="$frequency" -v seconds="$seconds" \
  -v alloc="$alloc_bytes" -v pause="$gc_pause_us" '
BEGIN {
  RS = ""; FS = "\n"
  # Rows in print order: key, label.
  n = split("sqlite_prepare sqlite_execute sqlite_commit sqlite_memory dapper_ado crypto data_protection json aspnet logging broker managed_other runtime libc gc jit background watcher kernel_net kernel_fs kernel_sched kernel_other other", order, " ")
  label["sqlite_prepare"] = "SQLite: parse, plan, code-gen, finalize"
  label["sqlite_execute"] = "SQLite: execute (VDBE, b-tree, records)"
  label["sqlite_commit"] = "SQLite: pages, WAL, commit, locks"
  label["sqlite_memory"] = "SQLite: malloc, free, mutexes"
  label["dapper_ado"] = "Dapper + Microsoft.Data.Sqlite (managed)"
  label["crypto"] = "crypto: libcrypto + managed (ES256, verify)"
  label["data_protection"] = "Data Protection (managed)"
  label["json"] = "System.Text.Json"
  label["aspnet"] = "ASP.NET Core, Kestrel, Extensions, System.Net"
  label["logging"] = "logging (calls + console logger thread)"
  label["broker"] = "broker code (SecretsBroker.*)"
  label["managed_other"] = "other managed (BCL, async, NodaTime)"
  label["runtime"] = "CLR runtime on workers (alloc, casts, stubs)"
  label["libc"] = "libc under SQLite/libcrypto (no frame ptrs)"
  label["gc"] = "GC threads"
  label["jit"] = "JIT (tiered compiler thread, clrjit)"
  label["background"] = "Hangfire threads"
  label["watcher"] = "file watcher thread (policy folder events)"
  label["kernel_net"] = "kernel: sockets, loopback TCP, epoll"
  label["kernel_fs"] = "kernel: file I/O, fsync, locks, ext4"
  label["kernel_sched"] = "kernel: futex, sched_yield, switches"
  label["kernel_other"] = "kernel: page faults, timers, other"
  label["other"] = "other (not recognised)"
}

# The assembly a managed frame belongs to: "[Name] " (bracket, space) precedes the owning type; the
# return and parameter types have theirs glued to the type name.
function assembly_of(sym, dso) {
  if (match(sym, /\[[^] ]+\] /)) return substr(sym, RSTART + 1, RLENGTH - 3)
  if (dso ~ /\.dll$/) { sub(/.*\//, "", dso); sub(/\.dll$/, "", dso); return dso }
  return ""
}
function managed_category(a) {
  if (a ~ /^(Dapper|Microsoft\.Data\.Sqlite|SQLitePCLRaw)/) return "dapper_ado"
  if (a ~ /DataProtection/) return "data_protection"
  if (a ~ /^(System\.Security\.Cryptography|Microsoft\.IdentityModel|System\.IdentityModel)/) return "crypto"
  if (a ~ /^System\.Text\.Json/) return "json"
  if (a ~ /^Microsoft\.Extensions\.Logging/) return "logging"
  if (a ~ /^(Microsoft\.AspNetCore|Microsoft\.Extensions|Microsoft\.Net\.Http|System\.Net|System\.IO\.Pipelines)/) return "aspnet"
  if (a ~ /^Hangfire/) return "background"
  if (a ~ /^SecretsBroker\./) return "broker"
  return ""
}
function sqlite_category(s) {
  if (s ~ /^(sqlite3(Db)?(Malloc|Free|Realloc|MallocSize|MemSize)|sqlite3DbNNFreeNN|sqlite3DbFreeNN|sqlite3_(free|malloc|realloc|mutex_)|pthreadMutex|sqlite3Mutex|mallocWithAlarm|dbMallocRaw)/) return "sqlite_memory"
  if (s ~ /^(wal[A-Z]|sqlite3Wal[A-Z]|pager|sqlite3Pager|pcache|sqlite3Pcache|sqlite3Os|unix|seekAndWrite|full_fsync|posix|robust_|btreeBeginTrans|sqlite3BtreeBeginTrans|sqlite3BtreeCommit|vdbeCommit|pageFindSlot|sqlite3VdbeHalt|btreeEndTransaction|sqlite3BtreeLeave|sqlite3BtreeEnter)/) return "sqlite_commit"
  if (s ~ /^(sqlite3VdbeExec|sqlite3_step|sqlite3Step|sqlite3_bind|bindText|vdbeUnbind|sqlite3_column|columnMem|columnType|sqlite3_reset|sqlite3_data_count|sqlite3_value|sqlite3VdbeMem|sqlite3VdbeRecord|sqlite3VdbeSerial|sqlite3VdbeOneByteSerial|sqlite3VdbeIdx|sqlite3VdbeCursor|sqlite3VdbeFinishMoveto|sqlite3VdbeChangeEncoding|vdbe(Record|Mem|Sorter|Unpack|Compare)|sqlite3Btree|btree|sqlite3GetVarint|sqlite3PutVarint|sqlite3VarintLen|getVarint|moveTo|cellSize|balance|insertCell|dropCell|fillInCell|allocateCursor|getAndInitPage|accessPayload|sqlite3ValueText|valueToText|sqlite3RecordCompare|sqlite3IntFloatCompare|sqlite3MemCompare|sqlite3VdbeReset|sqlite3VdbeTransferError|allocateSpace|decodeFlags|freeSpace|defragmentPage|pageInsertArray|rebuildPage|clearCell|clearDatabasePage|sqlite3VdbeBooleanValue|applyAffinity|applyNumericAffinity|sqlite3AtoF|sqlite3Atoi64|sqlite3VdbeIntValue|sqlite3VdbeRealValue|out2Prerelease|sqlite3VdbeFreeCursor|releaseMemArray|sqlite3VdbeCloseStatement|vdbeCloseStatement)/) return "sqlite_execute"
  # The parser, resolver, planner and code generator have hundreds of functions; they and the
  # freeing of each statement after its one use (it is prepared again next time) remain.
  return "sqlite_prepare"
}
function kernel_category(first, last,    i) {
  # Network before files: a write(2) to a socket goes through vfs_write too.
  for (i = first; i <= last; i++) if (sym[i] ~ /^_*(tcp|sock|sk|skb|inet|ip|ipv6|netif|napi|net_rx|net_dev|loopback|dev_queue|dev_hard|process_backlog|unix|ep|do_epoll|x64_sys_epoll|x64_sys_(send|recv)|sys_(send|recv)|security_socket)(_|$)/) return "kernel_net"
  for (i = first; i <= last; i++) if (sym[i] ~ /^_*(ext4|jbd2|vfs|ksys|x64_sys_(write|pwrite64|read|pread64|fsync|fdatasync|openat|close|newfstat|fstat|lseek|ftruncate|unlink|rename)|do_fsync|file|filemap|iomap|blk|bio|folio|generic_perform_write|generic_file|block|mpage|writeback|xfs|btrfs|ovl|fuse|submit_bio|dd|mark_buffer|page_cache|virtblk|virtqueue|vp_notify|x64_sys_fcntl|do_fcntl|fcntl_setlk|fcntl_getlk|posix_lock|locks)(_|$)/) return "kernel_fs"
  for (i = first; i <= last; i++) if (sym[i] ~ /^_*(futex|x64_sys_futex|do_futex|do_sched_yield|x64_sys_sched_yield|schedule|finish_task_switch|do_nanosleep|hrtimer_nanosleep|x64_sys_clock_nanosleep|try_to_wake_up|wake_up)(_|\.|$)/) return "kernel_sched"
  return "kernel_other"
}
function classify(comm,    i, first_user, a, c, seen_managed, fallback) {
  # Threads that do one thing.
  if (comm ~ /^\.NET (Server GC|BGC|Background GC|GC)/) return "gc"
  if (comm ~ /^\.NET Tiered Com/) return "jit"
  if (comm ~ /^Console logger/) return "logging"
  if (comm ~ /^(Worker #|RecurringJobSch|DelayedJobSched|ServerHeartbeat|ServerWatchdog|ServerJobCancel|ExpirationManag|CountersAggreg|Hangfire)/) return "background"
  if (comm ~ /^\.NET File Watch/) return "watcher"
  for (i = 1; i <= frames; i++) if (dso[i] ~ /libclrjit/) return "jit"
  if (dso[1] ~ /kernel/) {
    for (i = 1; i <= frames && dso[i] ~ /kernel/; i++) ;
    return kernel_category(1, i - 1)
  }
  fallback = ""
  for (i = 1; i <= frames; i++) {
    if (dso[i] ~ /libe_sqlite3/) return sqlite_category(sym[i])
    if (dso[i] ~ /libcrypto|libssl|Cryptography\.Native/) return "crypto"
    # libcoreclr has no symbols: the runtime counts when it is where the thread is (or libc is, on
    # its behalf); below a managed frame it is only the thread pool that runs that frame.
    if (dso[i] ~ /libcoreclr/) { if (!seen_managed) return "runtime"; continue }
    if (sym[i] ~ /^stub / && !seen_managed) return "runtime"
    if (dso[i] ~ /libc\.so|libm\.so|ld-linux|libstdc|libgcc|vdso/) { if (fallback == "") fallback = "libc"; continue }
    if (dso[i] ~ /perf-[0-9]+\.map|\[JIT\]|\.dll$/ || sym[i] ~ /\[[^] ]+\] /) {
      a = assembly_of(sym[i], dso[i])
      if (a == "") continue
      seen_managed = 1
      c = managed_category(a)
      if (c != "") return c
      if (fallback == "" || fallback == "libc") fallback = "managed_other"
    }
  }
  return fallback == "" ? "other" : fallback
}

{
  # perf sets the period of each sample to keep the frequency: they are weighed by it.
  header = $1; sub(/ +$/, "", header)
  period = header; sub(/.* /, "", period)
  comm = header; sub(/ +[0-9]+ +[0-9]+$/, "", comm)
  frames = 0
  for (f = 2; f <= NF; f++) {
    line = $f
    sub(/^[ \t]*[0-9a-f]+ /, "", line)
    d = line; sub(/.*\(/, "", d); sub(/\)$/, "", d)
    s = line; sub(/ \([^(]*\)$/, "", s)
    frames++; sym[frames] = s; dso[frames] = d
  }
  if (frames == 0) next
  c = classify(comm)
  count[c]++; total++
  weight[c] += period; total_weight += period
  leaf = sym[1]
  if (leaf == "[unknown]") { leaf = dso[1]; sub(/.*\//, "", leaf); leaf = "[unknown] in " leaf } else sub(/\(.*/, "", leaf)
  leafs[c " | " leaf]++
}

END {
  if (total == 0) { print "profile: perf recorded no sample" > "/dev/stderr"; exit 1 }
  printf "%-46s %10s %7s %8s\n", "category", "us/lease", "%", "samples"
  json = ""
  for (i = 1; i <= n; i++) {
    k = order[i]
    us = cpu_us * weight[k] / total_weight
    printf "%-46s %10.1f %6.1f%% %8d\n", label[k], us, 100 * weight[k] / total_weight, count[k]
    json = json sprintf("%s\"%s_us\":%.1f", (i > 1 ? "," : ""), k, us)
  }
  printf "%-46s %10.1f %6.1f%% %8d\n", "total (broker CPU from /proc)", cpu_us, 100, total
  # Tiered compilation fades over minutes; the rest is what a lease costs once it is done.
  without_jit = cpu_us * (total_weight - weight["jit"]) / total_weight
  printf "%-46s %10.1f\n", "total without JIT", without_jit
  # The periods add up to the CPU time perf saw, close to /proc'\''s figure when the windows match.
  perf_us = total_weight / 1000 / leases
  printf "perf estimate: %.1f us/lease (%d samples at %d Hz over %s s, %d leases)\n", perf_us, total, frequency, seconds, leases
  if (alloc != "null") printf "allocated: %d bytes/lease; GC pauses: %.1f us/lease (dotnet-counters)\n", alloc, pause
  print ""
  print "most frequent leaf frames (category | frame: samples):"
  # The 25 largest, by selection: plain awk has no sort.
  m = 0
  for (k in leafs) keys[++m] = k
  for (i = 1; i <= m && i <= 25; i++) {
    for (j = i + 1; j <= m; j++) if (leafs[keys[j]] > leafs[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
    printf "  %5d  %s\n", leafs[keys[i]], substr(keys[i], 1, 140)
  }
  print ""
  printf "{\"leases\":%d,\"seconds\":%s,\"cpu_us_per_lease\":%.1f,\"cpu_us_per_lease_without_jit\":%.1f,\"perf_us_per_lease\":%.1f,\"samples\":%d,\"alloc_bytes_per_lease\":%s,\"gc_pause_us_per_lease\":%s,\"categories\":{%s}}\n", leases, seconds, cpu_us, without_jit, perf_us, total, alloc, pause, json
}' "$work/perf.txt"
