import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-plugin-embeddings',
    include: ['src/**/*.test.ts'],
  },
});
