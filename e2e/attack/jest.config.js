// The reference attack, end to end (docs: ../../README.md, issue 6): real Postgres, the built
// server and console, the built agent with its kernel sensor, a private containerd (CRI pods) and
// dockerd, and Debian's Chromium. Needs root, TEST_DATABASE_URL (or Debian's Postgres on
// 127.0.0.1:5432) and the builds: protocol, server, agent, console, `make -C bpf`.
module.exports = {
  displayName: 'attack',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // The shared packages' source, not whatever dist/ was last built.
  moduleNameMapper: {
    '^@driftlock/cri$': '<rootDir>/../../packages/cri/src',
    '^@driftlock/protocol$': '<rootDir>/../../packages/protocol/src',
  },
  // One scenario, one stack: the steps run in order and share the pod, agent and browser.
  maxWorkers: 1,
  testTimeout: 120_000,
};
