#!/usr/bin/env bash
# The one start command: installs what is needed, builds, and starts driftlock: the server (on an
# embedded Postgres when DATABASE_URL is unset) serving the console on http://127.0.0.1:3000, and
# this host's agent when it can run here (root, BTF, the eBPF toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${DRIFTLOCK_DATA_DIR:-$ROOT/.driftlock}
AGENT_STATE=$DATA/agent
mkdir -p "$DATA"

if [[ "$(pnpm --version 2>/dev/null || true)" != 10.* ]]; then
  npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")" >/dev/null
fi

# The agent needs root, the kernel's BTF and the eBPF build tools; without them the server and
# console still run, and the reason is printed.
agent_blocker=""
if [[ $(id -u) -ne 0 ]]; then
  agent_blocker="not running as root"
elif [[ ! -r /sys/kernel/btf/vmlinux ]]; then
  agent_blocker="this kernel exposes no BTF (/sys/kernel/btf/vmlinux)"
elif command -v apt-get >/dev/null; then
  bash scripts/setup-system.sh agent
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm --filter @driftlock/protocol --filter @driftlock/server --filter @driftlock/console build >/dev/null
if [[ -z $agent_blocker ]]; then
  pnpm --filter @driftlock/cri --filter @driftlock/agent build >/dev/null
  make -s -C bpf >/dev/null || agent_blocker="the kernel sensor did not build (make -C bpf)"
fi

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait
}
trap stop EXIT INT TERM

token_file=$DATA/local-agent.token
rm -f "$token_file"
if [[ -z $agent_blocker && ! -f $AGENT_STATE/credentials.json ]]; then
  export DRIFTLOCK_LOCAL_AGENT_TOKEN_FILE=$token_file
fi
export DRIFTLOCK_DATA_DIR=$DATA
node apps/server/dist/main.js &
pids+=($!)

port=${DRIFTLOCK_PORT:-3000}
url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  node -e "fetch('$url/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "start: the server exited" >&2; exit 1; }
  sleep 0.2
done

if [[ -n $agent_blocker ]]; then
  echo "  agent: not started here: $agent_blocker"
else
  if [[ -f $token_file ]]; then
    node apps/agent/dist/main.js enroll --server "$url" --token "$(cat "$token_file")" \
      --state-dir "$AGENT_STATE"
    rm -f "$token_file"
  fi
  # Also the demo's containerd (pnpm demo), so its pods get their Kubernetes context.
  export DRIFTLOCK_CRI_ADDRESS=${DRIFTLOCK_CRI_ADDRESS:-unix:///run/containerd/containerd.sock,unix:///var/lib/driftlock-demo/containerd/containerd.sock}
  node --max-semi-space-size=1 apps/agent/dist/main.js run --state-dir "$AGENT_STATE" &
  pids+=($!)
  echo "  agent: running on $(hostname) (state in $AGENT_STATE; logs here)"
fi
wait -n
