import type { RecordEpisodesInput, ValidationIssue } from '@episodic/core';
import { firstIssues } from '../errors/first-issues.js';

type EpisodeRecord = RecordEpisodesInput[number];

/** The trace or span a record's path names: `3.steps.7.action` → the fourth record's eighth step. */
function spanOf(path: string, records: readonly EpisodeRecord[]): string | null {
  const [, record, step, rest] = /^(\d+)(?:\.steps\.(\d+))?(?:\.(.*))?$/.exec(path) ?? [];
  const traced = records[Number(record)];
  const traceId = (traced?.metadata as Record<string, unknown> | undefined)?.traceId;
  if (typeof traceId !== 'string') return null;
  const metadata = step === undefined ? undefined : traced?.steps?.[Number(step)]?.metadata;
  const spanId = (metadata as Record<string, unknown> | undefined)?.spanId;
  const where = typeof spanId === 'string' ? `trace ${traceId} span ${spanId}` : `trace ${traceId}`;
  return rest === undefined ? where : `${where}: ${rest}`;
}

/**
 * An engine refusal of records made from traces, in the exporter's terms: `trace 5b8e…: domain:
 * Too big …` rather than the record's place in one call of the request (`100.domain`), which no
 * exporter can map back to what it sent. Null when an issue names no record of `records`.
 */
export function tracedIssues(
  issues: readonly ValidationIssue[],
  records: readonly EpisodeRecord[],
): string | null {
  if (issues.length === 0) return null;
  const { named, more } = firstIssues(issues);
  const texts: string[] = [];
  for (const issue of named) {
    const where = spanOf(issue.path, records);
    if (where === null) return null;
    texts.push(`${where}: ${issue.message}`);
  }
  return more > 0 ? `${texts.join('; ')}; and ${more} more` : texts.join('; ');
}
