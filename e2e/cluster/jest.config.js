// Real containerd, runc, pods and dockerd: needs root. Suites start their own daemons in their
// own folders, so they may run in parallel.
module.exports = {
  displayName: 'cluster',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Test the client's source, not whatever dist/ was last built.
  moduleNameMapper: { '^@driftlock/cri$': '<rootDir>/../../packages/cri/src' },
  testTimeout: 60_000,
};
