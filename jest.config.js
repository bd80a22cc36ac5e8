// Every suite of the monorepo; `scripts/test.sh` runs them all and totals the results.
module.exports = {
  // Global, not per project: with several projects jest reads the timeout here only.
  testTimeout: 60_000,
  projects: [
    '<rootDir>/packages/protocol',
    '<rootDir>/packages/cri',
    '<rootDir>/apps/server',
    '<rootDir>/apps/agent',
    '<rootDir>/e2e/cluster',
    '<rootDir>/e2e/console',
    '<rootDir>/e2e/deploy',
  ],
};
