// Unit and conformance tests (test/**/*.test.ts), run from the TypeScript sources in Node.
// The timeouts are generous on purpose: a CPU conformance file can take minutes on a 2-core machine.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'out/**', 'test/e2e/**'],
    environment: 'node',
    testTimeout: 10 * 60_000,
    hookTimeout: 2 * 60_000,
    teardownTimeout: 60_000,
  },
});
