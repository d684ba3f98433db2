import { defineConfig } from 'vitest/config';

// chDB must run on a process's main thread: the default `forks` pool gives each test
// file its own process (and so its own embedded engine and data directory).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
