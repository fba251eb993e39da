/** Jest runs TypeScript through ts-jest without type-checking each file (tsc does that once in `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Build outputs (dist/, the compiled-relay test's folder) hold copies of nothing jest should run or map.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.build-test-'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
};
