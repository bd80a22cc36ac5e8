// Every suite of the monorepo; `scripts/test.sh` runs them all and totals the results.
module.exports = {
  projects: [
    '<rootDir>/packages/protocol',
    '<rootDir>/packages/cri',
    '<rootDir>/apps/server',
    '<rootDir>/apps/agent',
    '<rootDir>/e2e/cluster',
    '<rootDir>/e2e/console',
  ],
};
