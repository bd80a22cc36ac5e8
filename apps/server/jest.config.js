// Unit specs (*.spec.ts) and integration specs (*.integration-spec.ts, real Postgres) side by side.
module.exports = {
  displayName: 'server',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.(spec|integration-spec)\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: { '^@driftlock/protocol$': '<rootDir>/../../packages/protocol/src' },
  testTimeout: 30000,
};
