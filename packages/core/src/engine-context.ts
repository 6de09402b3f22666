import type { AuditLog } from './audit/audit-log.js';
import type { ResolvedMemoryConfig } from './config.js';
import type { Database } from './db/database.js';
import type { InputSchemas } from './schemas/input-schemas.js';

/** What every part of the engine shares: the database, the config and the schemas built from it. */
export interface EngineContext {
  db: Database;
  config: ResolvedMemoryConfig;
  schemas: InputSchemas;
  audit: AuditLog;
}
