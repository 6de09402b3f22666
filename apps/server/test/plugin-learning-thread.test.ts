import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { openStore } from '../src/store/open-store.js';
import { spawnCli } from './__fixtures__/cli-process.js';

const serverModules = fileURLToPath(new URL('../node_modules', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'episodic-plugin-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A miner package: "the same command again right after it failed", its default export its factory. */
const minerPackage = `import { z } from 'zod';
export default function createRetryMiner({ patternType = 'retry_helped' } = {}) {
  return {
    specificationVersion: 'v1',
    patternType,
    dataSchema: z.strictObject({ action: z.string() }),
    mine({ episode, succeeded }) {
      const retried = new Set();
      episode.steps.forEach((step, i) => {
        const previous = episode.steps[i - 1];
        if (previous?.action === step.action && previous.success === false) retried.add(step.action);
      });
      return [...retried].map((action) => ({ data: { action }, success: succeeded }));
    },
  };
}
`;

/** A user's folder: the miner package installed (zod linked from here) and `config` as `episodic.config.mjs`. */
function project(name: string, config: string): string {
  const dir = join(root, name);
  const miner = join(dir, 'node_modules', 'retry-miner');
  mkdirSync(miner, { recursive: true });
  writeFileSync(
    join(miner, 'package.json'),
    JSON.stringify({ name: 'retry-miner', type: 'module', exports: { '.': { import: './index.js' } } }),
  );
  writeFileSync(join(miner, 'index.js'), minerPackage);
  symlinkSync(join(serverModules, 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
  writeFileSync(join(dir, 'episodic.config.mjs'), config);
  return dir;
}

/**
 * Serves `dir`'s config, records three episodes with a retried command from another process on
 * the same store, and returns what a user checks: the start's stderr, the miner's patterns once
 * learned, and the learning thread's heap in `/metrics` (absent when learning runs on the
 * serving thread).
 */
async function serveAndLearn(dir: string, patternType: string) {
  const configFile = join(dir, 'episodic.config.mjs');
  const server = spawnCli(['serve', '--config', configFile]);
  try {
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const writer = await openStore(await loadConfig({ flags: { config: configFile }, env: {} }), {
      learning: false,
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        const { id } = await writer.episodes.start({
          taskType: 'debugging',
          domain: 'shop',
          context: 'Flaky test',
        });
        await writer.episodes.logSteps(id, [
          { action: 'npm test', result: 'ECONNRESET', success: false },
          { action: 'npm test', result: 'passed', success: true },
        ]);
        await writer.episodes.complete(id, { status: 'completed' });
      }
      let support = 0;
      for (const deadline = Date.now() + 60_000; support < 3 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        support = (await writer.patterns.list({ type: patternType })).items[0]?.support ?? 0;
      }
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return { stderr: server.stderr(), support, metrics };
    } finally {
      await writer.close();
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

const learningThreadHeap = /episodic_process_memory_bytes\{kind="learning_heap_used"\} [1-9]\d*/;

// Each case starts `episodic serve` and its learning thread: room for a loaded machine.
describe('plugins in the learning thread of episodic serve', { timeout: 120_000 }, () => {
  it.each([
    [
      'named by its package',
      'by-package',
      'retry_helped',
      `export default {
  port: 0, dataDir: './data', retentionIntervalMs: 0,
  miners: ['tool_sequence', { package: 'retry-miner', options: { patternType: 'retry_helped' } }],
};
`,
    ],
    [
      'the config file made (its factory imported there)',
      'made-in-config',
      'retry_in_config',
      `import createRetryMiner from 'retry-miner';
export default {
  port: 0, dataDir: './data', retentionIntervalMs: 0,
  miners: [createRetryMiner({ patternType: 'retry_in_config' })],
};
`,
    ],
  ])('runs a miner %s in the learning thread, off the serving one', async (_, name, patternType, config) => {
    const { stderr, support, metrics } = await serveAndLearn(project(name, config), patternType);
    // Before: "learning runs on the serving thread: the plugins in these settings cannot be handed…"
    expect(stderr).not.toContain('learning runs on the serving thread');
    expect(support).toBe(3);
    expect(metrics).toMatch(learningThreadHeap);
  });

  it('learns on the serving thread, saying so, when a plugin option cannot reach a thread', async () => {
    const dir = project(
      'function-option',
      `export default {
  port: 0, dataDir: './data', retentionIntervalMs: 0,
  miners: [{ package: 'retry-miner', options: { patternType: 'retry_local', onMine: () => {} } }],
};
`,
    );
    const { stderr, support, metrics } = await serveAndLearn(dir, 'retry_local');
    expect(stderr).toContain('learning runs on the serving thread');
    expect(support).toBe(3);
    expect(metrics).not.toMatch(learningThreadHeap);
  });
});
