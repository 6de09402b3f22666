import type { RetrievedEpisode } from '@episodic/sdk';

/**
 * Why an episode ranked where it did, in words, signal by signal (the contributions add up to
 * its score): `words match step 3 (#1); meaning close (cos 0.81, #2); 2 d old; outcome 100%`.
 */
export function episodeWhy({ score, why }: RetrievedEpisode): string {
  const parts: string[] = [];
  if (why.text !== null) {
    const where = why.text.matchedIn === 'step' ? `step ${why.text.stepNumber}` : 'the task';
    parts.push(`words match ${where} (text #${why.text.rank}, +${why.text.contribution.toFixed(3)})`);
  }
  if (why.vector !== null) {
    const where =
      why.vector.matchedIn === 'step_error' ? `the error of step ${why.vector.stepNumber}` : 'the task';
    parts.push(
      `meaning close to ${where} (cos ${why.vector.similarity.toFixed(2)}, vector #${why.vector.rank}, +${why.vector.contribution.toFixed(3)})`,
    );
  }
  parts.push(`${why.recency.ageDays < 1 ? '<1' : Math.round(why.recency.ageDays)} d old`);
  if (why.outcome.successRate !== null) parts.push(`outcome ${Math.round(why.outcome.successRate * 100)}%`);
  return `  why (score ${score.toFixed(3)}): ${parts.join('; ')}`;
}
