/**
 * Loads `coding-agent-gemini`: real mini-SWE-agent runs on SWE-bench Verified issues (see the data
 * set's ABOUT.md). Each run becomes its issue text, its resolved label and its steps (one per
 * assistant action, with the observation that answered it).
 *
 * The split: the first 4 bytes of SHA-256(instance_id), read as an unsigned integer; even is `dev`,
 * odd is `test`. It depends on nothing but the id, so a run keeps its side whatever else the folder
 * holds (224 runs: 106 dev, 118 test).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetPath } from '../datasets.js';

export interface CodingAgentStep {
  /** The command of the single ```bash block (trimmed); for a format error, the raw assistant text (bounded). */
  action: string;
  /** The THOUGHT text before the block. */
  thought: string;
  /** The observation exactly as the next user message gives it (wrappers kept). */
  result: string;
  /** Return code 0, not a format error, not a timeout. */
  success: boolean;
  kind: 'command' | 'format_error' | 'timeout' | 'submit';
}

export interface CodingAgentRun {
  instanceId: string;
  /** From the instance id: `django__django-11532` → `django/django`. */
  repo: string;
  /** The text inside `<pr_description>…</pr_description>`. */
  issueText: string;
  /** Resolved in the official SWE-bench evaluation. */
  resolved: boolean;
  /** Library files the final patch changed: existing files, not tests. */
  changedFiles: string[];
  steps: CodingAgentStep[];
}

interface RawRun {
  instance_id: string;
  messages: { role: string; content: string }[];
  info: { submission?: string };
}

const submitCommand = 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT';
const formatErrorPrefix = 'Please always provide EXACTLY ONE action';
/** A format error's action is the whole reply; bounded so one rambling reply cannot dominate a store. */
const maxRawActionChars = 2000;

/** `even` → dev: see the module comment. */
export function codingAgentSplit(instanceId: string): 'dev' | 'test' {
  return createHash('sha256').update(instanceId).digest().readUInt32BE(0) % 2 === 0 ? 'dev' : 'test';
}

function repoOf(instanceId: string): string {
  const [owner, rest] = instanceId.split('__');
  if (owner === undefined || rest === undefined) throw new Error(`unexpected instance id "${instanceId}"`);
  return `${owner}/${rest.replace(/-\d+$/, '')}`;
}

function isTestPath(path: string): boolean {
  const segments = path.split('/');
  const name = segments.at(-1) ?? '';
  return (
    segments.some((segment) => segment === 'tests' || segment === 'test' || segment === 'testing') ||
    /^(test_.*|.*_test|tests|conftest)\.py$/.test(name)
  );
}

/** Files the unified diff modifies or deletes; new files are the agent's own scripts or build output, not library code. */
export function changedLibraryFiles(submission: string): string[] {
  const files: string[] = [];
  for (const section of submission.split(/^(?=diff --git )/m)) {
    const match = /^diff --git a\/(\S+) b\/\S+\n/.exec(section);
    if (match === null) continue;
    const header = section.split('\n@@')[0] ?? '';
    const path = match[1] as string;
    if (/^new file mode/m.test(header) || isTestPath(path)) continue;
    if (!files.includes(path)) files.push(path);
  }
  return files;
}

function issueTextOf(task: string): string {
  const match = /<pr_description>([\s\S]*?)<\/pr_description>/.exec(task);
  if (match === null) throw new Error('task message has no <pr_description>');
  return (match[1] as string).replace(/^\s*Consider the following PR description:\s*/, '').trim();
}

function stepOf(reply: string, observation: string): CodingAgentStep {
  const blocks = [...reply.matchAll(/```bash\s*\n([\s\S]*?)```/g)];
  const fence = reply.indexOf('```');
  const thought = (fence === -1 ? reply : reply.slice(0, fence)).replace(/^\s*THOUGHT:\s*/, '').trim();
  if (observation.startsWith(formatErrorPrefix) || blocks.length !== 1) {
    return {
      action: reply.slice(0, maxRawActionChars),
      thought,
      result: observation,
      success: false,
      kind: 'format_error',
    };
  }
  const action = (blocks[0]?.[1] ?? '').trim();
  if (action.includes(submitCommand)) {
    return { action, thought, result: observation, success: true, kind: 'submit' };
  }
  if (observation.startsWith('The last command <command>') && /timed out/.test(observation.slice(0, 2000))) {
    return { action, thought, result: observation, success: false, kind: 'timeout' };
  }
  const code = /^<returncode>(-?\d+)<\/returncode>/.exec(observation);
  return { action, thought, result: observation, success: code?.[1] === '0', kind: 'command' };
}

/** One run from its parsed trajectory file. */
export function codingAgentRunOf(raw: RawRun, resolved: boolean): CodingAgentRun {
  const task = raw.messages.find((message, index) => index > 0 && message.role === 'user');
  if (task === undefined) throw new Error(`${raw.instance_id}: no task message`);
  const steps: CodingAgentStep[] = [];
  raw.messages.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const next = raw.messages[index + 1];
    steps.push(stepOf(message.content, next?.role === 'user' ? next.content : ''));
  });
  return {
    instanceId: raw.instance_id,
    repo: repoOf(raw.instance_id),
    issueText: issueTextOf(task.content),
    resolved,
    changedFiles: changedLibraryFiles(raw.info.submission ?? ''),
    steps,
  };
}

/**
 * Every run in the folder (default: the shared data set), in instance-id order. Throws
 * `DATASET_MISSING` when the shared folder is absent.
 */
export function loadCodingAgentRuns(folder: string = datasetPath('coding-agent-gemini')): CodingAgentRun[] {
  const trajs = join(folder, 'trajs');
  const reportDir = join(trajs, 'sb-cli-reports');
  const reportName = readdirSync(reportDir).find((name) => name.endsWith('.json'));
  if (reportName === undefined) throw new Error(`no SWE-bench report in ${reportDir}`);
  const report = JSON.parse(readFileSync(join(reportDir, reportName), 'utf8')) as { resolved_ids: string[] };
  const resolved = new Set(report.resolved_ids);
  return readdirSync(trajs)
    .filter((name) => name !== 'sb-cli-reports')
    .sort()
    .map((id) => {
      const raw = JSON.parse(readFileSync(join(trajs, id, `${id}.traj.json`), 'utf8')) as RawRun;
      return codingAgentRunOf(raw, resolved.has(raw.instance_id));
    });
}
