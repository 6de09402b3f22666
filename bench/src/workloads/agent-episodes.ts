import {
  type CompleteEpisodeInput,
  type StartEpisodeInput,
  type StepInput,
  seedTaskTypes,
} from '@episodic/core';
import { SeededRandom } from './random.js';

/** Everything an agent sends for one episode, generated before any timing starts. */
export interface ScriptedEpisode {
  start: StartEpisodeInput & { context: string };
  steps: StepInput[];
  outcome: CompleteEpisodeInput & { successRate: number };
}

export interface AgentEpisodeOptions {
  episodes: number;
  stepsPerEpisode: number;
  seed?: number;
  /** Share of steps that fail; coding agents see roughly one failed tool call in eight. */
  failureRate?: number;
}

/** The domains generated episodes belong to. */
export const agentDomains = ['web-api', 'billing', 'auth', 'data-pipeline', 'cli', 'frontend'];
const files = [
  'src/auth/session.ts',
  'src/billing/invoice.ts',
  'src/api/routes/users.ts',
  'src/pipeline/ingest.py',
  'src/cli/main.rs',
  'web/components/Checkout.tsx',
  'src/db/migrations/0042_add_index.sql',
];
const goals = [
  'Fix the flaky refresh-token test and make session expiry configurable',
  'Add pagination to the invoices endpoint without breaking existing clients',
  'Investigate the 500 on POST /users when the email has a plus sign',
  'Speed up the nightly ingest job, which now takes over two hours',
  'Document the CLI flags and add examples for the export command',
  'Refactor the checkout form state into a reducer and cover it with tests',
];

type Tool = (random: SeededRandom, file: string) => { action: string; ok: string; failed: string };

const tools: Tool[] = [
  (r, file) => ({
    action: `read_file ${file}`,
    ok: `Read ${r.int(40, 900)} lines from ${file}. Exports: createSession, refreshSession, revokeSession; imports jose, ./config and ../db/client. The refresh path reads SESSION_TTL from the environment with a default of 3600 seconds.`,
    failed: `ENOENT: no such file or directory, open '${file}'. The file may have moved; the closest match in the tree is ${r.pick(files)}.`,
  }),
  (r, file) => ({
    action: `search_code "${r.pick(['refreshSession', 'invoiceTotal', 'parseEmail', 'batchSize', 'exportCommand'])}"`,
    ok: `${r.int(2, 19)} matches in ${r.int(1, 7)} files: ${file}:${r.int(3, 400)}, ${r.pick(files)}:${r.int(3, 400)}, and tests under __tests__/. The definition is in ${file}; the other hits are call sites.`,
    failed: `Search timed out after 30000 ms while scanning node_modules; retry with an include pattern such as src/**/*.ts to narrow the search.`,
  }),
  (r, file) => ({
    action: `edit_file ${file}`,
    ok: `Applied a patch to ${file}: +${r.int(1, 40)} -${r.int(0, 25)} lines. Replaced the hard-coded timeout with a config value and threaded it through the constructor; formatting left unchanged.`,
    failed: `Patch did not apply to ${file}: hunk 2 of 3 failed at line ${r.int(10, 300)} because the surrounding context changed since the file was read. Re-read the file and regenerate the patch.`,
  }),
  (r) => ({
    action: `run_tests ${r.pick(['auth', 'billing', 'api', 'pipeline', 'checkout'])}`,
    ok: `Test Files  ${r.int(1, 12)} passed; Tests  ${r.int(5, 140)} passed (${r.int(5, 140)}); Duration ${r.int(1, 40)}.${r.int(0, 9)}s. No snapshots were written and coverage did not drop.`,
    failed: `FAIL src/auth/session.test.ts > refreshes an expired token. AssertionError: expected 401 to be 200. at Object.<anonymous> (session.test.ts:${r.int(10, 200)}:23). Tests: 1 failed, ${r.int(5, 90)} passed.`,
  }),
  (r) => ({
    action: `run_command ${r.pick(['pnpm lint', 'cargo build', 'pytest -x', 'npm run typecheck', 'docker compose up -d db'])}`,
    ok: `Command exited with code 0 after ${r.int(1, 90)}s. ${r.int(0, 4)} warnings, no errors. Output truncated to the last 20 lines; nothing in them needs attention.`,
    failed: `Command exited with code ${r.int(1, 2)}: error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string' at src/api/routes/users.ts:${r.int(10, 300)}:17.`,
  }),
  (r) => ({
    action: `http_request ${r.pick(['GET', 'POST'])} /api/${r.pick(['users', 'invoices', 'sessions'])}`,
    ok: `HTTP 200 in ${r.int(3, 800)} ms; body {"items":[...${r.int(1, 50)} items],"nextCursor":"eyJpZCI6${r.int(100, 999)}"}; headers include cache-control: no-store.`,
    failed: `HTTP 500 in ${r.int(3, 800)} ms; body {"error":"Internal Server Error","requestId":"req_${r.int(10000, 99999)}"}; the server log shows TypeError: Cannot read properties of undefined (reading 'split').`,
  }),
];

/**
 * Synthetic coding-agent episodes with realistic shapes: tool-call actions, results of about
 * 100-300 characters, a share of failures, durations, and an outcome that follows the failures.
 */
export function generateAgentEpisodes(options: AgentEpisodeOptions): ScriptedEpisode[] {
  const random = new SeededRandom(options.seed ?? 20_261_127);
  const failureRate = options.failureRate ?? 0.12;
  return Array.from({ length: options.episodes }, () => {
    const file = random.pick(files);
    const steps: StepInput[] = Array.from({ length: options.stepsPerEpisode }, () => {
      const tool = random.pick(tools)(random, file);
      const success = !random.chance(failureRate);
      return {
        action: tool.action,
        result: success ? tool.ok : tool.failed,
        durationMs: random.int(5, 9000),
        success,
      };
    });
    const succeeded = steps.filter((step) => step.success).length;
    const successRate = succeeded / steps.length;
    return {
      start: {
        taskType: random.pick(seedTaskTypes),
        domain: random.pick(agentDomains),
        context: `${random.pick(goals)}. Repository at commit ${random.int(0x1000000, 0xfffffff).toString(16)}; start from ${file}.`,
      },
      steps,
      outcome: { status: successRate >= 0.8 ? 'completed' : 'failed', successRate },
    };
  });
}
