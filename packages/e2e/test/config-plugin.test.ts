import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteMemory } from '@episodic/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { type EpisodicProcess, startProcess } from './__fixtures__/episodic-process.js';

const modules = fileURLToPath(new URL('../node_modules', import.meta.url));
const cli = join(modules, '@episodic', 'server', 'dist', 'cli.js');
const project = mkdtempSync(join(tmpdir(), 'episodic-config-plugin-'));
const running: EpisodicProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((process) => process.stop()));
  rmSync(project, { recursive: true, force: true });
});

/**
 * A third-party miner installed in the user's project: "the same command again right after it
 * failed" (a retry), with the number of attempts as a measurement. Its default export is its factory.
 */
const minerSource = `import { z } from 'zod';
export default function createRetryMiner({ patternType = 'retry_helped' } = {}) {
  return {
    specificationVersion: 'v1',
    patternType,
    dataSchema: z.strictObject({ action: z.string() }),
    describe: (data) => 'retry ' + data.action,
    mine({ episode, succeeded }) {
      const retried = new Set();
      episode.steps.forEach((step, i) => {
        const previous = episode.steps[i - 1];
        if (previous !== undefined && previous.action === step.action && previous.success === false) retried.add(step.action);
      });
      return [...retried].map((action) => ({ data: { action }, success: succeeded }));
    },
  };
}
`;

function writeProject() {
  const pkg = join(project, 'node_modules', 'episodic-miner-retry');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'episodic-miner-retry', type: 'module', exports: { '.': './index.js' } }),
  );
  writeFileSync(join(pkg, 'index.js'), minerSource);
  symlinkSync(join(modules, 'zod'), join(project, 'node_modules', 'zod'), 'dir');
  // The server only queues; `episodic worker`, reading the same file, runs the learners.
  writeFileSync(
    join(project, 'episodic.config.mjs'),
    `export default {
  port: 0,
  dataDir: './data',
  miners: ['tool_sequence', { package: 'episodic-miner-retry', options: { patternType: 'retry_helped' } }],
  learning: { run: false },
  retentionIntervalMs: 0,
};
`,
  );
}

describe('episodic serve and worker with episodic.config.mjs', () => {
  it('mine with a miner package installed beside the config, read back through the SDK', async () => {
    writeProject();
    const server = startProcess(process.execPath, [cli, 'serve'], project);
    running.push(server);
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const worker = startProcess(process.execPath, [cli, 'worker'], project);
    running.push(worker);
    const [learners] = await worker.waitFor(/Episodic worker learning \(.*\)/);
    expect(learners).toMatch(/mining/);

    const token = readFileSync(join(project, 'data', 'admin-token'), 'utf8').trim();
    const memory = createRemoteMemory({ url: url as string, token });
    for (let i = 0; i < 3; i += 1) {
      const episode = await memory.episodes.start({
        taskType: 'debugging',
        domain: 'shop',
        context: `flaky ${i}`,
      });
      await memory.episodes.logSteps(episode.id, [
        { action: 'npm test', result: 'ECONNRESET', success: false },
        { action: 'npm test', result: '12 passed', success: true },
      ]);
      await memory.episodes.complete(episode.id, { status: 'completed' });
    }
    await memory.learning.flush({ timeoutMs: 120_000 });

    const patterns = (await memory.patterns.list({ type: 'retry_helped' })).items;
    expect(
      patterns.map((pattern) => [pattern.patternData, pattern.domain, pattern.summary, pattern.support]),
    ).toEqual([[{ action: 'npm test' }, 'shop', 'retry npm test', 3]]);
    expect(await server.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  });
});
