// The console in Debian's Chromium against the built server on a real Postgres
// (TEST_DATABASE_URL), with a scripted agent speaking the real agent protocol.
module.exports = {
  displayName: 'console',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@driftlock/protocol$': '<rootDir>/../../packages/protocol/src' },
  testTimeout: 60_000,
};
