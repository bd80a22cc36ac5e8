#!/usr/bin/env bash
# Exec overhead of the kernel sensor: fork+exec of /bin/true, 20,000 per condition, with
#   none     no BPF program attached,
#   sensor   driftlock-sensor running, protect mode set for a cgroup made for this run (the loop
#            itself stays in the host cgroup, so every exec goes through the whole program and
#            the enforcement lookup, and nothing is killed),
#   bpftrace a tracepoint:sched:sched_process_exec one-liner printing pid and filename.
# The conditions alternate in rounds (ROUNDS x BLOCK execs each, who goes first rotates), so
# changes in machine load hit all three alike; each observer is started for its block and gets a
# short unmeasured warm-up first (a sensor in production has been running for days). Two measures:
#   wall  elapsed time of the loop;
#   cpu   CPU time of the loop (runner + children, user + system: in-kernel BPF time included)
#         plus the CPU time of the observer process (driftlock-sensor or bpftrace) meanwhile.
# The headline is paired: each round's ratio of two conditions run back to back, their median
# over the rounds and a 95 % confidence interval of that median (order statistics), so load that
# drifts over the run cancels out instead of widening the spread.
# The kernel's own accounting of time in the programs (kernel.bpf_stats_enabled, which adds two
# clock reads per program run) is taken in extra blocks after the timed rounds, never in them.
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

WARMUP=50

# BLOCK fork+execs of /bin/true after WARMUP unmeasured ones; prints "elapsed_ns cpu_ns observer_ns",
# the observer's CPU added to cpu_ns. With STATS_LABEL set, instead measures nothing and records
# the observer's in-kernel program time over the block.
measure() { # [observer pid]
  local before=0 after=0 result
  "$RUNNER" --count "$WARMUP" -- /bin/true >/dev/null
  if [ -n "${STATS_LABEL:-}" ]; then
    sysctl -qw kernel.bpf_stats_enabled=1
    "$RUNNER" --count "$BLOCK" -- /bin/true >/dev/null
    prog_stats "$1" "$STATS_LABEL"
    sysctl -qw kernel.bpf_stats_enabled=0
    echo "0 0 0"
    return
  fi
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
  result=$(STATS_LABEL=${STATS:+sensor} measure "$pid")
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
  result=$(STATS_LABEL=${STATS:+bpftrace} measure "$pid")
  kill -INT "$pid"
  wait "$pid" || true
  echo "$result"
}

# one line per block: round condition wall_ns cpu_ns observer_ns
BLOCKS=$WORK/blocks
order=(none sensor bpftrace)
for round in $(seq 1 "$ROUNDS"); do
  for condition in "${order[@]}"; do
    read -r elapsed used observed < <("run_$condition")
    echo "$round $condition $elapsed $used ${observed:-0}" >>"$BLOCKS"
    echo "round $round: $condition wall $((elapsed / BLOCK)) ns/exec, cpu $((used / BLOCK)) ns/exec" >&2
  done
  order=("${order[@]:1}" "${order[0]}")
done
STATS=1 run_sensor >/dev/null
STATS=1 run_bpftrace >/dev/null

# values of one measure (3: wall, 4: cpu, 5: observer) for one condition, round by round
column() { awk -v c="$2" -v f="$1" '$2 == c { print $f }' "$BLOCKS"; }
# each round's ratio a/b of one measure
paired() { awk -v a="$2" -v b="$3" -v f="$1" '$2 == a { x[$1] = $f } $2 == b { y[$1] = $f }
  END { for (r in x) if (r in y) printf "%.6f\n", x[r] / y[r] }' "$BLOCKS"; }
# median of numbers on stdin, with a 95 % confidence interval from order statistics: the k-th
# smallest and k-th largest, k the largest with P(Binomial(n, 1/2) < k) <= 0.025
median_ci() {
  sort -g | awk '{ v[NR] = $1 } END {
    n = NR; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    p = 0.5 ^ n; cdf = p; k = 1
    for (i = 1; i < n; i++) { p = p * (n - i + 1) / i; if (cdf + p > 0.025) break; cdf += p; k = i + 1 }
    printf "%.3f (%.3f-%.3f)\n", med, v[k], v[n + 1 - k] }'
}
sum() { awk '{ s += $1 } END { printf "%.0f\n", s }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
us() { echo "scale=1; $1 / $2 / 1000" | bc; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }'; }

execs=$((ROUNDS * BLOCK))
echo "| condition | execs | wall us/exec (all) | wall us/exec (median round) | CPU us/exec (all) | CPU us/exec (median round) |"
echo "|---|---|---|---|---|---|"
for c in none sensor bpftrace; do
  echo "| $c | $execs | $(us "$(column 3 $c | sum)" "$execs") | $(us "$(column 3 $c | median)" "$BLOCK") | $(us "$(column 4 $c | sum)" "$execs") | $(us "$(column 4 $c | median)" "$BLOCK") |"
done
echo
echo "Ratios. Paired: the median over rounds of each round's ratio, 95 % confidence interval in"
echo "brackets. All: total time over total time."
echo
echo "| ratio | wall, paired | CPU, paired | wall (all) | CPU (all) |"
echo "|---|---|---|---|---|"
for pair in "sensor none" "sensor bpftrace" "bpftrace none"; do
  read -r a b <<<"$pair"
  echo "| $a / $b | $(paired 3 "$a" "$b" | median_ci) | $(paired 4 "$a" "$b" | median_ci) |" \
    "$(ratio "$(column 3 "$a" | sum)" "$(column 3 "$b" | sum)") | $(ratio "$(column 4 "$a" | sum)" "$(column 4 "$b" | sum)") |"
done
echo
for c in sensor bpftrace; do
  echo "$c process CPU: $(us "$(column 5 $c | sum)" "$execs") us per exec (in the CPU columns above)"
done
echo
drops=$(sed -E 's/.*"drops":([0-9]+).*/\1/' "$WORK/sensor-stats" | paste -sd+ | bc)
echo "sensor ring-buffer drops: $drops"
echo
echo "In-kernel time per program run (kernel.bpf_stats_enabled, in one extra block per observer after the timed rounds; every exec on the host counts, not only the loop's):"
awk '{ key = $1 " " $2; ns[key] += $3; runs[key] += $4 } END { for (k in ns) printf "- %s: %.2f us per run over %d runs\n", k, ns[k] / runs[k] / 1000, runs[k] }' "$WORK/bpf-stats" | sort
