import { EpisodicError } from './errors.js';
import type { AccessScope } from './types.js';

/** Refuses a write into a domain the caller's scope does not cover. */
export function assertDomainInScope(domain: string, scope: AccessScope | undefined): void {
  if (scope !== undefined && !scope.domains.includes(domain)) {
    throw new EpisodicError('FORBIDDEN', `This caller may not write to domain "${domain}".`);
  }
}
