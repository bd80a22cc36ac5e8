#!/usr/bin/env bash
# Exec overhead of the kernel sensor: fork+exec of /bin/true, 20,000 per condition, with
#   none     no BPF program attached,
#   sensor   driftlock-sensor running, protect mode set for a cgroup made for this run (the loop
#            itself stays in the host cgroup, so every exec goes through the whole program and
#            the enforcement lookup, and nothing is killed),
#   bpftrace a tracepoint:sched:sched_process_exec one-liner printing pid and filename.
# The conditions alternate in rounds (ROUNDS x BLOCK execs each, who goes first rotates), so
# changes in machine load hit all three alike. Two measures per condition:
#   wall  elapsed time of the loop;
#   cpu   CPU time of the loop (runner + children, user + system: in-kernel BPF time included)
#         plus the CPU time of the observer process (driftlock-sensor or bpftrace) meanwhile.
# Also the kernel's own accounting of time in the sensor's programs (kernel.bpf_stats_enabled).
# Prints Markdown; docs/bench/exec-overhead.md holds a run.
# Needs root. Usage: bench/exec-overhead.sh [ROUNDS] [BLOCK]   (defaults 40 500)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-40}
BLOCK=${2:-500}
RUNNER=bpf/build/test/exec-runner
SENSOR=bpf/build/driftlock-sensor
# tmpfs: the sensor writes about 1 KB per exec, and disk writeback would tax every condition after it
WORK=$(mktemp -d /dev/shm/driftlock-bench.XXXXXX)
CGROUP=/sys/fs/cgroup/unified/driftlock-bench-$$
BPFTRACE_PROGRAM='BEGIN { printf("ready\n"); } tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, str(args->filename)); }'

make -C bpf --quiet sensor test-fixtures
mkdir "$CGROUP"
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  wait 2>/dev/null || true
  sysctl -qw kernel.bpf_stats_enabled=0 || true
  rmdir "$CGROUP" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for_line() { # file pattern
  for _ in $(seq 1 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "exec-overhead: '$2' never appeared in $1:" >&2
  cat "$1" >&2
  exit 1
}

# CPU time of a process's threads in ns (schedstat): /proc/PID/stat counts 10 ms ticks, and the
# sensor's ~3 ms per block would come out as 0 or 10 ms
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%.0f\n", ns }'; }

# run time and count of the BPF programs process $1 holds (others on the machine may run their own)
prog_stats() { # pid label
  local id
  for id in $(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u); do
    bpftool prog show id "$id" | sed -nE "s/.* name ([^ ]+) .*run_time_ns ([0-9]+) run_cnt ([0-9]+).*/$2 \\1 \\2 \\3/p"
  done >>"$WORK/bpf-stats"
}

# BLOCK fork+execs of /bin/true; prints "elapsed_ns cpu_ns observer_ns", the observer's CPU added to cpu_ns
measure() { # [observer pid]
  local before=0 after=0 result
  [ -n "${1:-}" ] && before=$(cpu_ns "$1")
  result=$("$RUNNER" --count "$BLOCK" -- /bin/true)
  [ -n "${1:-}" ] && after=$(cpu_ns "$1")
  sed -E 's/.*"elapsed_ns":([0-9]+),"cpu_ns":([0-9]+).*/\1 \2/' <<<"$result" |
    awk -v observer=$((after - before)) '{ print $1, $2 + observer, observer }'
}

run_none() { measure; }

run_sensor() {
  local fifo=$WORK/sensor.in out=$WORK/sensor.out result pid
  rm -f "$fifo" && mkfifo "$fifo"
  # a plain file as the consumer: the cheapest reader, so we measure the sensor, not a parser
  "$SENSOR" <"$fifo" >"$out" &
  pid=$!
  exec 3>"$fifo"
  echo "mode $(stat -c %i "$CGROUP") protect" >&3
  wait_for_line "$out" '"k":"ack","ok":true'
  sysctl -qw kernel.bpf_stats_enabled=1
  result=$(measure "$pid")
  prog_stats "$pid" sensor
  sysctl -qw kernel.bpf_stats_enabled=0
  exec 3>&-
  wait "$pid"
  grep '"k":"stats"' "$out" | tail -1 >>"$WORK/sensor-stats"
  rm -f "$out"
  echo "$result"
}

run_bpftrace() {
  local out=$WORK/bpftrace.out result pid
  bpftrace -e "$BPFTRACE_PROGRAM" >"$out" 2>/dev/null &
  pid=$!
  wait_for_line "$out" '^ready'
  sysctl -qw kernel.bpf_stats_enabled=1
  result=$(measure "$pid")
  prog_stats "$pid" bpftrace
  sysctl -qw kernel.bpf_stats_enabled=0
  kill -INT "$pid"
  wait "$pid" || true
  echo "$result"
}

declare -A wall=() cpu=() observer=()
order=(none sensor bpftrace)
for round in $(seq 1 "$ROUNDS"); do
  for condition in "${order[@]}"; do
    read -r elapsed used observed < <("run_$condition")
    wall[$condition]+="$elapsed "
    cpu[$condition]+="$used "
    observer[$condition]+="${observed:-0} "
    echo "round $round: $condition wall $((elapsed / BLOCK)) ns/exec, cpu $((used / BLOCK)) ns/exec" >&2
  done
  order=("${order[@]:1}" "${order[0]}")
done

# On a shared machine other tenants' bursts land on random rounds: the median round resists
# them; the sum is what a long loop would see.
stat_of() { # sum|median values...
  local how=$1
  shift
  printf '%s\n' "$@" | sort -n | awk -v how="$how" '{ v[NR] = $1; s += $1 }
    END { if (how == "sum") printf "%.0f\n", s; else printf "%.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
value() { # measure(wall|cpu) stat condition
  local -n values=$1
  # shellcheck disable=SC2086
  stat_of "$2" ${values[$3]}
}
us() { echo "scale=1; $1 / $2 / 1000" | bc; }
ratio() { echo "scale=3; $1 / $2" | bc; }

execs=$((ROUNDS * BLOCK))
echo "| condition | execs | wall us/exec (all) | wall us/exec (median round) | CPU us/exec (all) | CPU us/exec (median round) |"
echo "|---|---|---|---|---|---|"
for condition in none sensor bpftrace; do
  echo "| $condition | $execs | $(us "$(value wall sum "$condition")" "$execs") | $(us "$(value wall median "$condition")" "$BLOCK") | $(us "$(value cpu sum "$condition")" "$execs") | $(us "$(value cpu median "$condition")" "$BLOCK") |"
done
echo
echo "| ratio | wall (all) | wall (median round) | CPU (all) | CPU (median round) |"
echo "|---|---|---|---|---|"
for pair in "sensor none" "sensor bpftrace" "bpftrace none"; do
  read -r a b <<<"$pair"
  row="| $a / $b |"
  for measure in wall cpu; do
    for stat in sum median; do
      row+=" $(ratio "$(value $measure $stat "$a")" "$(value $measure $stat "$b")") |"
    done
  done
  echo "$row"
done
echo
for condition in sensor bpftrace; do
  echo "$condition process CPU: $(us "$(value observer sum "$condition")" "$execs") us per exec (in the CPU columns above)"
done
echo
drops=$(sed -E 's/.*"drops":([0-9]+).*/\1/' "$WORK/sensor-stats" | paste -sd+ | bc)
echo "sensor ring-buffer drops: $drops"
echo
echo "In-kernel time per program run (kernel.bpf_stats_enabled; every exec on the host counts, not only the loop's):"
awk '{ key = $1 " " $2; ns[key] += $3; runs[key] += $4 } END { for (k in ns) printf "- %s: %.2f us per run over %d runs\n", k, ns[k] / runs[k] / 1000, runs[k] }' "$WORK/bpf-stats" | sort
