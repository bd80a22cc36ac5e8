module.exports = {
  displayName: 'agent',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'].filter((d) =>
    require('fs').existsSync(d.replace('<rootDir>', __dirname)),
  ),
  testRegex: '\\.(spec|integration-spec)\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: { '^@driftlock/(protocol|cri)$': '<rootDir>/../../packages/$1/src' },
  testTimeout: 60000,
};
