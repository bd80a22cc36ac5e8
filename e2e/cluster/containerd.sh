#!/usr/bin/env bash
# A private containerd (CRI + runc) for tests and demos, beside any host containerd:
# its own root, state, socket, CNI config and bridge, all under one folder.
#
#   containerd.sh start [DIR]   write DIR/config.toml, start containerd, wait until it answers
#   containerd.sh stop  [DIR]   kill every task it runs, stop it by PID, unmount what it left
#
# DIR defaults to /var/lib/driftlock-test/containerd. Afterwards: socket DIR/containerd.sock,
# PID in DIR/containerd.pid, log in DIR/containerd.log. Env: SANDBOX_IMAGE (the pause image
# tag; default driftlock.test/pause:1), CNI_SUBNET (default 10.213.0.0/24).
set -euo pipefail

cmd=${1:?usage: containerd.sh start|stop [DIR]}
dir=${2:-/var/lib/driftlock-test/containerd}
sock=$dir/containerd.sock
pidfile=$dir/containerd.pid
# One bridge per folder, so two instances never share one; stop deletes it.
bridge=dl-$(echo -n "$dir" | sha256sum | cut -c1-8)

log() { echo "containerd.sh: $*" >&2; }

running_pid() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(cat "$pidfile")
  [[ -d /proc/$pid ]] && grep -q containerd "/proc/$pid/comm" && echo "$pid"
}

# Kill the tasks of every namespace (k8s.io for CRI pods, moby for Docker) so no shim or
# container outlives the daemon.
kill_tasks() {
  local ns id
  for ns in $(ctr --address "$sock" namespaces ls -q 2>/dev/null); do
    for id in $(ctr --address "$sock" -n "$ns" tasks ls -q 2>/dev/null); do
      ctr --address "$sock" -n "$ns" tasks kill -a -s SIGKILL "$id" 2>/dev/null || true
      ctr --address "$sock" -n "$ns" tasks delete -f "$id" >/dev/null 2>&1 || true
    done
  done
}

# Shims run detached from containerd; a crashed run can leave them, so find them by our socket.
kill_shims() {
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $sock( |$)" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# After a crash (daemon and shims gone) runc still knows the containers: our runtime config puts
# its state under DIR/runc/<namespace>.
delete_runc_containers() {
  local root id
  for root in "$dir"/runc/*; do
    [[ -d $root ]] || continue
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" delete -f "$id" 2>/dev/null || true
    done
  done
}

unmount_under() {
  local mnt
  # Deepest first, so a parent is never busy because of a child.
  for mnt in $(awk -v d="$1" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$mnt" 2>/dev/null || true
  done
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill_tasks
    kill -TERM "$pid"
    for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    [[ -d /proc/$pid ]] && kill -KILL "$pid"
  fi
  kill_shims
  delete_runc_containers
  unmount_under "$dir"
  ip link delete "$bridge" 2>/dev/null || true
  rm -f "$pidfile"
}

write_config() {
  local sandbox_image=${SANDBOX_IMAGE:-driftlock.test/pause:1}
  local subnet=${CNI_SUBNET:-10.213.0.0/24}
  mkdir -p "$dir/cni/net.d" "$dir/cni/ipam" "$dir/opt"
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$sandbox_image"
  # Root here lacks CAP_SYS_RESOURCE: without this runc cannot lower oom_score_adj.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Pod network namespaces under DIR/state, not /var/run/netns: stop unmounts them with the rest.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
EOF
  # Pods on their own network get a bridge that is no gateway and masquerades nothing: test
  # traffic stays on loopback (host-network pods, or containers of one pod).
  cat >"$dir/cni/net.d/10-driftlock.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "driftlock-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": false,
      "ipMasq": false,
      "ipam": { "type": "host-local", "subnet": "$subnet", "dataDir": "$dir/cni/ipam" }
    },
    { "type": "loopback" }
  ]
}
EOF
}

start() {
  stop
  rm -rf "$dir"
  mkdir -p "$dir"
  write_config
  setsid containerd -c "$dir/config.toml" >"$dir/containerd.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 100); do
    if ctr --address "$sock" version >/dev/null 2>&1; then return 0; fi
    if ! running_pid >/dev/null; then
      log "containerd exited during start; last log lines:"
      tail -n 20 "$dir/containerd.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "containerd did not answer on $sock within 10 s; last log lines:"
  tail -n 20 "$dir/containerd.log" >&2
  stop
  exit 1
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) log "unknown command $cmd (want start or stop)"; exit 2 ;;
esac
