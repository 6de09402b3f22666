import type { JsonObject } from '@episodic/plugin';
import type { Row } from '@libsql/client';
import type { EpisodeStatus } from '../enums.js';
import type { Episode, Pattern, Step } from '../types.js';

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

const lenient = new TextDecoder('utf-8');

/**
 * A column read `CAST(… AS BLOB)`, as text: bytes that are not UTF-8 become U+FFFD. libSQL's driver
 * aborts the process (a Rust panic, nothing to catch) when it reads such bytes as text, which
 * versions before 1.26.0 could write into the audit log; as a blob they are safe to read. Blobs
 * come as an ArrayBuffer from the client driver, a Uint8Array (Buffer) from the native one.
 */
export function blobText(value: unknown): string | null {
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return lenient.decode(value);
  return value === null || value === undefined ? null : String(value);
}

function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function json<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : (JSON.parse(String(value)) as T);
}

export const episodeColumns =
  'id, task_type, domain, context, status, success_rate, created_at, completed_at, metadata, embedding_version';

export function toEpisode(row: Row): Episode {
  return {
    id: String(row.id),
    taskType: String(row.task_type),
    domain: String(row.domain),
    context: text(row.context),
    status: String(row.status) as EpisodeStatus,
    successRate: num(row.success_rate),
    createdAt: String(row.created_at),
    completedAt: text(row.completed_at),
    metadata: json<JsonObject>(row.metadata),
    embeddingVersion: text(row.embedding_version),
  };
}

export const stepColumns =
  'id, episode_id, step_number, action, result, duration_ms, success, timestamp, metadata';

export function toStep(row: Row): Step {
  return {
    id: String(row.id),
    episodeId: String(row.episode_id),
    stepNumber: Number(row.step_number),
    action: String(row.action),
    result: text(row.result),
    durationMs: num(row.duration_ms),
    success: row.success === null || row.success === undefined ? null : Boolean(row.success),
    timestamp: String(row.timestamp),
    metadata: json<JsonObject>(row.metadata),
  };
}

export const patternColumns =
  'id, pattern_type, domain, pattern_data, success_rate, usage_count, last_used, created_at, metadata';

export function toPattern(row: Row): Pattern {
  return {
    id: String(row.id),
    patternType: String(row.pattern_type),
    domain: text(row.domain),
    patternData: json<unknown>(row.pattern_data),
    successRate: Number(row.success_rate),
    usageCount: Number(row.usage_count ?? 0),
    lastUsed: text(row.last_used),
    createdAt: String(row.created_at),
    metadata: json<JsonObject>(row.metadata),
  };
}
