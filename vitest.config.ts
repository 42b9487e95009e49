import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn real servers and child processes; two cores is the machine's size.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
