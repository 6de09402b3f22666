import { readFileSync } from 'node:fs';
import type { StepInput } from '@episodic/core';

interface ToolCall {
  id: string;
  function: { name: string; arguments: string };
}

interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[] | null;
  tool_call_id?: string;
}

interface Trajectory {
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
const readTools = new Set([
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
 * Loads `gpt-4o-airline.json`: episode = trajectory, steps = tool calls in order (action = tool
 * name, arguments as metadata, result = the tool's reply, success = the reply is not an
 * `Error…`), outcome = reward 1. No durations are recorded in the data.
 */
export function loadTauAirline(path: string, maxResultChars: number, maxMetadataChars: number): TauEpisode[] {
  const trajectories = JSON.parse(readFileSync(path, 'utf8')) as Trajectory[];
  return trajectories.map((trajectory) => {
    const groundTruth = trajectory.info.task.actions.map((action) => action.name);
    const replies = new Map(
      trajectory.traj
        .filter((message) => message.role === 'tool')
        .map((message) => [message.tool_call_id, message.content ?? '']),
    );
    const steps: StepInput[] = trajectory.traj.flatMap((message) =>
      (message.tool_calls ?? []).map((call) => {
        const result = replies.get(call.id) ?? '';
        const metadata = { arguments: argumentsObject(call.function.arguments) };
        return {
          action: call.function.name,
          result: result.slice(0, maxResultChars),
          success: !result.startsWith('Error'),
          ...(JSON.stringify(metadata).length <= maxMetadataChars
            ? { metadata: metadata as StepInput['metadata'] }
            : {}),
        };
      }),
    );
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
  });
}
