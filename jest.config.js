// Every suite of the monorepo; `scripts/test.sh` runs them all and totals the results.
module.exports = {
  projects: [
    '<rootDir>/packages/protocol',
    '<rootDir>/apps/server',
    '<rootDir>/apps/agent',
  ],
};
