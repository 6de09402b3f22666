import { readFileSync } from 'node:fs';
import type { StepInput } from '@episodic/core';

export interface ToolCall {
  id: string;
  function: { name: string; arguments: string };
}

export interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[] | null;
  tool_call_id?: string;
}

/** One trajectory of `gpt-4o-airline.json` (the fields read here). */
export interface Trajectory {
  task_id: number;
  trial: number;
  reward: number;
  info: { task: { instruction: string; actions: { name: string }[] } };
  traj: Message[];
}

/** One τ-bench trajectory as an Episodic episode, loaded the way the data set's ABOUT.md says. */
export interface TauEpisode {
  taskId: number;
  trial: number;
  /** The first write action of the task's ground truth, or `airline_support` when it has none. */
  taskType: string;
  context: string;
  steps: StepInput[];
  succeeded: boolean;
  /** The task's ground-truth tool calls, in order. */
  groundTruth: string[];
}

/** The airline tools that only read (or think); every other tool in a ground truth writes. */
export const readTools: ReadonlySet<string> = new Set([
  'get_user_details',
  'get_reservation_details',
  'search_direct_flight',
  'search_onestop_flight',
  'list_all_airports',
  'calculate',
  'think',
]);

function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { raw: text };
  }
}

/**
 * Each tool call with its reply. τ-bench reuses call ids within a trajectory, so a reply belongs
 * to the earliest call still waiting with its id, never to a later call that shares it.
 */
function pairCalls(messages: readonly Message[]): { call: ToolCall; reply: string }[] {
  const pairs: { call: ToolCall; reply: string }[] = [];
  const waiting: { id: string; index: number }[] = [];
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) {
      waiting.push({ id: call.id, index: pairs.length });
      pairs.push({ call, reply: '' });
    }
    if (message.role !== 'tool') continue;
    const at = waiting.findIndex((call) => call.id === message.tool_call_id);
    if (at === -1) continue;
    const [answered] = waiting.splice(at, 1);
    (pairs[answered?.index ?? 0] as { reply: string }).reply = message.content ?? '';
  }
  return pairs;
}

/**
 * One trajectory as an episode: steps = tool calls in order (action = tool name, arguments as
 * metadata, result = the tool's reply, success = the reply is not an `Error…`), outcome = reward 1.
 * No durations are recorded in the data.
 */
export function tauEpisodeOf(
  trajectory: Trajectory,
  maxResultChars: number,
  maxMetadataChars: number,
): TauEpisode {
  const groundTruth = trajectory.info.task.actions.map((action) => action.name);
  const steps: StepInput[] = pairCalls(trajectory.traj).map(({ call, reply }) => {
    const metadata = { arguments: argumentsObject(call.function.arguments) };
    return {
      action: call.function.name,
      result: reply.slice(0, maxResultChars),
      success: !reply.startsWith('Error'),
      ...(JSON.stringify(metadata).length <= maxMetadataChars
        ? { metadata: metadata as StepInput['metadata'] }
        : {}),
    };
  });
  const firstUser = trajectory.traj.find((message) => message.role === 'user')?.content ?? '';
  return {
    taskId: trajectory.task_id,
    trial: trajectory.trial,
    taskType: groundTruth.find((name) => !readTools.has(name)) ?? 'airline_support',
    context: firstUser,
    steps,
    succeeded: trajectory.reward === 1,
    groundTruth,
  };
}

/** Loads `gpt-4o-airline.json` the way the data set's ABOUT.md says, one episode per trajectory. */
export function loadTauAirline(path: string, maxResultChars: number, maxMetadataChars: number): TauEpisode[] {
  const trajectories = JSON.parse(readFileSync(path, 'utf8')) as Trajectory[];
  return trajectories.map((trajectory) => tauEpisodeOf(trajectory, maxResultChars, maxMetadataChars));
}
