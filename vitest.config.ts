import { defineConfig } from 'vitest/config';

// Lets `npx vitest` at the top level run every package's tests; `pnpm test` runs them per package through turbo.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'packages/embeddings/*',
      'packages/miners/*',
      'apps/*',
      'bench',
      'examples/plugin-*',
    ],
  },
});
