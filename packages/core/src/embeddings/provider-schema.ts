import { type EmbeddingProviderV1, embeddingProviderIssues } from '@episodic/plugin';
import { z } from 'zod';

/** Accepts an object implementing `EmbeddingProviderV1` as it is (methods and all). */
export const embeddingProviderSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    for (const issue of embeddingProviderIssues(value)) {
      ctx.addIssue({ code: 'custom', message: `${issue.path} ${issue.message}` });
    }
  })
  .transform((value) => value as EmbeddingProviderV1);
