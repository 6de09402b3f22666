import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestServer } from '@episodic/server/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sdkRoot = fileURLToPath(new URL('..', import.meta.url));
// The workspace's own TypeScript, the version the SDK is built with.
const tsc = join(sdkRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const project = mkdtempSync(join(tmpdir(), 'episodic-sdk-install-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** What a user writes: strict TypeScript against the installed package, checked and then run. */
const program = `
import { createEpisodicClient, TRPCClientError, type EpisodeWithSteps } from '@episodic/sdk';

const [url, token] = process.argv.slice(2) as [string, string];
const client = createEpisodicClient({ url, token });
const episode = await client.startEpisode({ taskType: 'refactoring', domain: 'installed', context: 'from a packed SDK' });
episode.step({ action: 'extract function', durationMs: 40, success: true });
episode.step({ action: 'run tests', result: 'ok', success: true });
await episode.complete({ status: 'completed', successRate: 1 });
const read: EpisodeWithSteps = await client.episodes.get.query({ episodeId: episode.id });
const numbers: number[] = read.steps.map((step) => step.stepNumber);
// @ts-expect-error the installed types know every procedure's input
await client.episodes.start.mutate({ taskType: 'refactoring' }).catch((error: unknown) => error instanceof TRPCClientError);
console.log(JSON.stringify({ status: read.status, numbers, actions: read.steps.map((step) => step.action) }));
`;

describe('the packed SDK', () => {
  it('installs from its tarball outside the workspace, type-checks a strict program and runs it', async () => {
    const packs = join(project, 'packs');
    mkdirSync(packs);
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: sdkRoot });
    const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz')) as string);

    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'sdk-user',
        private: true,
        type: 'module',
        dependencies: { '@episodic/sdk': `file:${tarball}` },
      }),
    );
    // Only the SDK and its declared dependencies: nothing of the workspace can leak in.
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', '@types/node@20'],
      {
        cwd: project,
      },
    );
    const installed = readdirSync(join(project, 'node_modules', '@episodic'));
    expect(installed).toEqual(['sdk']);
    expect(readdirSync(join(project, 'node_modules'))).not.toEqual(
      expect.arrayContaining(['@libsql', 'lmdb', 'zod']),
    );

    writeFileSync(join(project, 'main.ts'), program);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    const checked = await run(process.execPath, [tsc, '-p', project], { cwd: project }).catch(
      (error: { stdout: string }) => error,
    );
    expect((checked as { stdout: string }).stdout).toBe('');

    await using t = await startTestServer();
    const token = await t.token({ name: 'installed sdk', domains: ['installed'] });
    const { stdout } = await run(process.execPath, [join(project, 'out', 'main.js'), t.url, token], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toEqual({
      status: 'completed',
      numbers: [1, 2],
      actions: ['extract function', 'run tests'],
    });
  }, 420_000); // npm install took over 3 min on 2 cores shared with a second suite, as in the plugin's pack test
});
