// The files a user deploys with, checked without a Docker engine: Debian's docker-compose renders
// the compose file, every Kubernetes manifest is parsed and checked against the apps' own config
// loaders, each Dockerfile's COPY paths are checked against the build context, the agent image's
// build stages run as a dry run on this machine (pnpm, clang, bpftool), and systemd verifies the
// agent unit. Needs the system packages of scripts/setup-system.sh and a populated pnpm store.
module.exports = {
  displayName: 'deploy',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // The apps' config loaders are imported from source.
  moduleNameMapper: { '^@driftlock/protocol$': '<rootDir>/../../packages/protocol/src' },
  testTimeout: 60_000,
};
