#!/usr/bin/env bash
# Event capacity of the kernel sensor: the highest exec rate this machine can generate, and
# whether the sensor keeps up with it (ring-buffer drops, from its own counters), plus the
# loader's CPU time per 1,000 execs (utime+stime of driftlock-sensor from /proc).
# The load is fork+exec of a static no-libc binary (the cheapest exec there is, so the highest
# rate), from 1, 2, 4 and 8 parallel runners; every exec also yields a fork and an exit event.
# Prints a Markdown table; docs/bench/event-capacity.md holds a run.
# Needs root. Usage: bench/event-capacity.sh [EXECS_PER_STEP]   (default 40000)
set -euo pipefail
cd "$(dirname "$0")/.."

EXECS=${1:-40000}
RUNNER=bpf/build/test/exec-runner
PROGRAM=bpf/build/test/marker
SENSOR=bpf/build/driftlock-sensor
WORK=$(mktemp -d /tmp/driftlock-capacity.XXXXXX)
TICKS=$(getconf CLK_TCK)

make -C bpf --quiet sensor test-fixtures
cleanup() {
  exec 3>&- 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkfifo "$WORK/in"
"$SENSOR" --stats-interval-ms 100000 <"$WORK/in" |
  grep --line-buffered -E '"k":"(hello|ready|stats|bye)"' >"$WORK/out" &
exec 3>"$WORK/in"
for _ in $(seq 1 200); do grep -q '"k":"ready"' "$WORK/out" && break; sleep 0.05; done
LOADER=$(sed -nE 's/.*"k":"hello".*"pid":([0-9]+).*/\1/p' "$WORK/out")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$LOADER/stat"; }
drops() { # asks for fresh counters, waits for the new stats line
  local before
  before=$(grep -c '"k":"stats"' "$WORK/out" || true)
  echo stats >&3
  while [ "$(grep -c '"k":"stats"' "$WORK/out" || true)" -le "$before" ]; do sleep 0.02; done
  grep '"k":"stats"' "$WORK/out" | tail -1 | sed -E 's/.*"drops":([0-9]+).*/\1/'
}

echo "| parallel runners | execs | execs/s | ring-buffer drops | loader CPU ms | loader CPU ms per 1,000 execs |"
echo "|---|---|---|---|---|---|"
best=0
for parallel in 1 2 4 8; do
  per_runner=$((EXECS / parallel))
  drops_before=$(drops)
  cpu_before=$(cpu_ticks)
  start=$(date +%s%N)
  for _ in $(seq 1 "$parallel"); do
    "$RUNNER" --count "$per_runner" -- "$PROGRAM" /nonexistent/driftlock-capacity >/dev/null &
  done
  wait $(jobs -p | tail -n "$parallel")
  end=$(date +%s%N)
  sleep 0.2 # let the loader finish the backlog it is still writing
  cpu_after=$(cpu_ticks)
  drops_after=$(drops)
  execs=$((per_runner * parallel))
  rate=$((execs * 1000000000 / (end - start)))
  cpu_ms=$(((cpu_after - cpu_before) * 1000 / TICKS))
  dropped=$((drops_after - drops_before))
  printf '| %d | %d | %d | %d | %d | %s |\n' "$parallel" "$execs" "$rate" "$dropped" "$cpu_ms" \
    "$(echo "scale=2; $cpu_ms * 1000 / $execs" | bc)"
  if [ "$dropped" -eq 0 ] && [ "$rate" -gt "$best" ]; then best=$rate; fi
done
echo
echo "highest exec rate with zero ring-buffer drops: $best execs/s"
