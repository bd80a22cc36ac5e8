#!/usr/bin/env bash
# A private dockerd on an existing containerd (see containerd.sh), beside any host Docker: its
# own data root, exec root, socket and PID file, no bridge and no iptables rules, so its
# containers run with --network host only and the host's network is left alone.
#
#   dockerd.sh start DIR CONTAINERD_SOCKET   start dockerd, wait until it answers
#   dockerd.sh stop  DIR                     stop it by PID (its containers die with it)
#
# Afterwards: socket DIR/docker.sock, PID in DIR/dockerd.pid, log in DIR/dockerd.log.
# Use /usr/bin/docker -H unix://DIR/docker.sock (/usr/local/bin/docker may be a bare client).
set -euo pipefail

cmd=${1:?usage: dockerd.sh start DIR CONTAINERD_SOCKET | stop DIR}
dir=${2:?usage: dockerd.sh start DIR CONTAINERD_SOCKET | stop DIR}
sock=$dir/docker.sock
pidfile=$dir/dockerd.pid

log() { echo "dockerd.sh: $*" >&2; }

running_pid() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(cat "$pidfile")
  [[ -d /proc/$pid ]] && grep -q dockerd "/proc/$pid/comm" && echo "$pid"
}

stop() {
  local pid
  if pid=$(running_pid); then
    # Kill containers first: dockerd would otherwise wait out their stop timeouts.
    /usr/bin/docker -H "unix://$sock" ps -q 2>/dev/null | xargs -r /usr/bin/docker -H "unix://$sock" kill >/dev/null 2>&1 || true
    kill -TERM "$pid"
    for _ in $(seq 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    [[ -d /proc/$pid ]] && kill -KILL "$pid"
  fi
  awk -v d="$dir" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -f "$pidfile"
}

start() {
  local containerd_sock=${1:?containerd socket missing}
  stop
  rm -rf "$dir"
  mkdir -p "$dir"
  setsid dockerd \
    --containerd="$containerd_sock" \
    --host="unix://$sock" \
    --data-root="$dir/data" \
    --exec-root="$dir/exec" \
    --pidfile="$dir/docker.pid" \
    --bridge=none \
    --iptables=false \
    --ip6tables=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 200); do
    if /usr/bin/docker -H "unix://$sock" version >/dev/null 2>&1; then return 0; fi
    if ! running_pid >/dev/null; then
      log "dockerd exited during start; last log lines:"
      tail -n 20 "$dir/dockerd.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "dockerd did not answer on $sock within 20 s; last log lines:"
  tail -n 20 "$dir/dockerd.log" >&2
  stop
  exit 1
}

case $cmd in
  start) start "${3:-}" ;;
  stop) stop ;;
  *) log "unknown command $cmd (want start or stop)"; exit 2 ;;
esac
