#!/usr/bin/env bash
# The command line's start time (docs/benchmarks.md, "Command-line start time"): wall and CPU time of
# `kyu enqueue kyu.noop` and `kyu inspect queues`, each a process of its own as from a shell loop or cron,
# on each engine, over N runs: median and p90, a table on stdout and the same figures as JSON.
#
#   kyu-bench/cli-start-time.sh [--runs N] [--engines sqlite,redis,postgresql] [--json FILE] [--launcher PATH]
#
# The brokers (each with a name of its own, so nothing of anyone else's is touched; override with the
# environment): KYU_START_SQLITE (default sqlite:<temp folder>/start.db), KYU_START_REDIS (default
# redis://127.0.0.1:6379?prefix=kyu-start-bench), KYU_START_POSTGRES (default
# postgresql://postgres@127.0.0.1:5432/postgres?schema=kyu_start_bench). --launcher runs another checkout's
# ./kyu (to measure the code before a change). Two untimed runs per engine and command come first: they build
# the jar if needed and let the launcher prepare and record its start-up cache, which is then awaited.
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
launcher="$here/../kyu"
runs=20
engines="sqlite,redis,postgresql"
json_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --engines) engines="$2"; shift 2 ;;
    --json) json_file="$2"; shift 2 ;;
    --launcher) launcher="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cli-start-time: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$launcher" ] || { echo "cli-start-time: no launcher at $launcher" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cli-start-time: needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
url_of() {
  case "$1" in
    sqlite) echo "${KYU_START_SQLITE:-sqlite:$tmp/start.db}" ;;
    redis) echo "${KYU_START_REDIS:-redis://127.0.0.1:6379?prefix=kyu-start-bench}" ;;
    postgresql) echo "${KYU_START_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres?schema=kyu_start_bench}" ;;
    *) echo "cli-start-time: unknown engine $1 (sqlite, redis, postgresql)" >&2; exit 2 ;;
  esac
}

# Milliseconds of each run, sorted, then the median and the nearest-rank p90 of a sorted list.
median() { awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
p90() { awk '{a[NR]=$1} END {i = int(NR * 0.9 + 0.999999); if (i < 1) i = 1; print a[i]}'; }

# Waits (at most a minute) while the launcher builds a start-up cache in the background, so that the timed
# runs measure the steady state a user sees from the second run on.
await_cache() {
  local dir
  dir="$(dirname "$launcher")/kyu-cli/target/aot"
  for _ in $(seq 1 300); do
    compgen -G "$dir/*.lock" >/dev/null || return 0
    sleep 0.2
  done
}

machine="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
cpus="$(nproc 2>/dev/null || echo '?')"
load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
results=()
printf '%-11s %-16s %6s %10s %10s %10s %10s\n' ENGINE COMMAND RUNS "WALL p50" "WALL p90" "CPU p50" "CPU p90"
IFS=',' read -r -a engine_list <<< "$engines"
for engine in "${engine_list[@]}"; do
  url="$(url_of "$engine")"
  for command in "enqueue kyu.noop" "inspect queues"; do
    read -r -a cmd <<< "$command"
    # Two untimed runs: after a build by other means than the launcher, the first one has the launcher
    # prepare its class files and the second one records the cache.
    for _ in 1 2; do
      if ! "$launcher" --broker "$url" "${cmd[@]}" >/dev/null 2>"$tmp/err"; then
        echo "cli-start-time: $engine: kyu ${command} failed: $(tail -n 1 "$tmp/err")" >&2
        exit 1
      fi
      await_cache
    done
    : > "$tmp/wall"; : > "$tmp/cpu"
    for _ in $(seq 1 "$runs"); do
      start=$EPOCHREALTIME
      /usr/bin/time -f '%U %S' -o "$tmp/time" "$launcher" --broker "$url" "${cmd[@]}" >/dev/null 2>"$tmp/err" \
        || { echo "cli-start-time: $engine: kyu ${command} failed: $(tail -n 1 "$tmp/err")" >&2; exit 1; }
      end=$EPOCHREALTIME
      awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f\n", (e - s) * 1000}' >> "$tmp/wall"
      awk '{printf "%.0f\n", ($1 + $2) * 1000}' "$tmp/time" >> "$tmp/cpu"
    done
    sort -n -o "$tmp/wall" "$tmp/wall"; sort -n -o "$tmp/cpu" "$tmp/cpu"
    w50="$(median < "$tmp/wall")"; w90="$(p90 < "$tmp/wall")"
    c50="$(median < "$tmp/cpu")"; c90="$(p90 < "$tmp/cpu")"
    printf '%-11s %-16s %6s %8s ms %8s ms %8s ms %8s ms\n' "$engine" "$command" "$runs" "$w50" "$w90" "$c50" "$c90"
    results+=("{\"engine\": \"$engine\", \"command\": \"kyu $command\", \"runs\": $runs, \"wallMs\": {\"p50\": $w50, \"p90\": $w90}, \"cpuMs\": {\"p50\": $c50, \"p90\": $c90}}")
  done
done
echo "machine: ${machine:-unknown}, $cpus CPUs, load average $load (wall time includes waiting for a CPU; CPU time is user + system, GNU time's 10 ms steps)"

json="{\"machine\": \"${machine//\"/}\", \"cpus\": $cpus, \"loadAverage\": \"$load\", \"launcher\": \"$launcher\", \"results\": ["
for i in "${!results[@]}"; do
  [ "$i" -gt 0 ] && json+=", "
  json+="${results[$i]}"
done
json+="]}"
if [ -n "$json_file" ]; then echo "$json" > "$json_file"; echo "JSON: $json_file"; else echo "$json"; fi
