#!/usr/bin/env bash
# Installs the system packages driftlock's build and tests need (Debian/Ubuntu, as root), and pnpm.
# Idempotent: installs only what is missing.
set -euo pipefail

# `setup-system.sh agent|demo|test`: what the agent, the demo, or (default) all the tests need.
AGENT_PACKAGES=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make gcc)
TEST_PACKAGES=(
  "${AGENT_PACKAGES[@]}"
  postgresql                                                     # the tests' real Postgres
  bpftrace                                                       # exec-overhead comparison
  containerd runc containernetworking-plugins busybox-static     # real pods through CRI
  docker.io docker-compose                                       # plain containers; compose check
  chromium                                                       # browser tests, never a downloaded browser
  iproute2 procps
)
DEMO_PACKAGES=(containerd runc containernetworking-plugins busybox-static gcc make)
case ${1:-test} in
  agent) PACKAGES=("${AGENT_PACKAGES[@]}") ;;
  demo) PACKAGES=("${DEMO_PACKAGES[@]}") ;;
  *) PACKAGES=("${TEST_PACKAGES[@]}") ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

# The sensor needs these mounted; a fresh machine may lack them.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
