export const usage = `Usage: episodic <command> [options]

Commands:
  serve                          Start the server (until SIGTERM or Ctrl-C)
  worker                         Embed and mine finished episodes in this process (beside servers
                                 set with memory.learning.run false, or any number of them)
  tokens create --name NAME      Create a bearer token and print it (shown only once)
          [--scopes read,write,admin] [--domains a,b]   (default: read,write on every domain)
  tokens list [--json]           List tokens (never their secrets)
  tokens revoke ID               Revoke a token for good
  backup FILE                    Consistent snapshot of the store (also while the server writes), verified
  verify [FILE]                  Integrity check of a backup (default: the store's own database)
  restore FILE [--keep-old]      Verify FILE, swap it in (the old file is deleted unless --keep-old),
                                 rebuild the cache; stop the servers and workers on it first
  repair [--dry-run]             Report orphans and broken links; mend them and rebuild full-text indexes
  rekey [--new-key-env NAME | --decrypt] [--keep-old]
                                 Re-encrypt the store with the key in $NAME (default
                                 EPISODIC_NEW_ENCRYPTION_KEY; at least 16 characters), or decrypt it; the
                                 file under the old key is deleted unless --keep-old; stop the servers
                                 and workers on it first
  audit [--since T] [--until T] [--actor ID] [--operation OP] [--outcome O] [--limit N] [--after SEQ]
                                 The audit log, oldest first, N at a time (T: ISO time or 30m, 24h, 7d;
                                 SEQ: the last entry's number, for the next ones)
  retention apply                Apply the config file's retention policies now
  forget --episode ID [--episode ID]... | --domain D [--before T] | --metadata KEY=VALUE...
                                 Delete episodes for good, with their steps, vectors and links
  reindex                        Re-embed every episode with the configured embedding provider; stop the
                                 servers and workers on the store first
  remine                         Mine every finished episode again with the configured miners (after
                                 the miners changed); may run beside the servers and workers
  learning status                Pending and failed rows per learner, with the newest failure's error
  learning retry                 Queue the failed rows again (once the provider is back); a running
                                 server or worker learns them
  learning retire NAME           Delete a learner no process runs any more (taken out of the config),
                                 with its pending and failed rows, so completions stop queueing for it
  models pull NAME [--idle-timeout-ms N]
                                 Download a model2vec model (minishlab/potion-base-8M) from the Hugging
                                 Face hub into <data-dir>/models/NAME, checked (HF_ENDPOINT, HF_TOKEN);
                                 fails after N ms without a byte (default 30000); Ctrl-C keeps nothing
  Every command but serve and worker (which run until stopped) takes --json for machine-readable output.
  --help, --version              This text; the package's version

Settings (flags > environment > config file > defaults):
  --config FILE                  EPISODIC_CONFIG              default: episodic.config.{ts,mts,mjs,js} in the
                                                              current folder (export default defineConfig({…}));
                                                              or a JSON file. Any setting below, plus plugins
                                                              in embeddings and miners, retrieval, cache, …
  --host HOST                    EPISODIC_HOST                default 127.0.0.1
  --port PORT                    EPISODIC_PORT                default 7777 (0: any free port)
  --data-dir DIR                 EPISODIC_DATA_DIR            default ./data
  --database-url URL             EPISODIC_DATABASE_URL        default file:<data-dir>/memory.db
                                 EPISODIC_DATABASE_AUTH_TOKEN for libsql:// and Turso
  --encryption-key-env NAME      EPISODIC_ENCRYPTION_KEY      encrypt database and cache (flag: key in $NAME);
                                                              a new store needs a key of 16+ characters
  --tls-cert FILE --tls-key FILE EPISODIC_TLS_CERT/_KEY       serve HTTPS
  --max-body-bytes N             EPISODIC_MAX_BODY_BYTES      default 8388608
  --max-calls-per-token N        EPISODIC_MAX_CALLS_PER_TOKEN default 4; 64 with a remote database or provider
  --max-subscriptions-per-token N
                                 EPISODIC_MAX_SUBSCRIPTIONS_PER_TOKEN default 16 live event streams per token
  --max-connections N            EPISODIC_MAX_CONNECTIONS     default half the open-file limit, at most 10000
  --drain-timeout-ms N           EPISODIC_DRAIN_TIMEOUT_MS    default 10000
  --metrics-access public|admin  EPISODIC_METRICS_ACCESS      default public; admin: /metrics needs an admin token
  --embeddings local|openai|static|none|PACKAGE
                                 EPISODIC_EMBEDDINGS          default local (offline)
  --embeddings-url URL           EPISODIC_EMBEDDINGS_URL      openai: base URL (default OpenAI's)
  --embeddings-model NAME        EPISODIC_EMBEDDINGS_MODEL    openai: model; static: a pulled NAME or a
                                                              folder path (starting with / or .)
  --embeddings-dimensions N      EPISODIC_EMBEDDINGS_DIMENSIONS
  --embeddings-api-key-env NAME  EPISODIC_EMBEDDINGS_API_KEY_ENV  openai: variable holding the key
  --miners a,b|none              EPISODIC_MINERS              default tool_sequence,error_resolution,
                                                              optimization,testing_strategy; a package name
                                                              loads that plugin (from the current folder)
  --retention-interval-ms N      EPISODIC_RETENTION_INTERVAL_MS  default 3600000 (0: off)
`;

/**
 * The usage of one command (`episodic forget --help`): its lines of the command list, and where
 * the settings are. It printed the whole text for every command, the command's lines among 30
 * others. The whole text when `command` names none.
 */
export function commandUsage(command: string | undefined): string {
  const list = usage.slice(usage.indexOf('Commands:\n') + 'Commands:\n'.length, usage.indexOf('\nSettings'));
  // An entry is a line indented two spaces and the lines indented further that continue it.
  const entries = list.split(/\n(?= {2}\S)/);
  const own = entries.filter((entry) => entry.trimStart().split(/\s/, 1)[0] === command);
  if (command === undefined || own.length === 0) return usage;
  const json =
    command === 'serve' || command === 'worker'
      ? ''
      : '  --json                         Machine-readable output\n';
  return (
    `Usage: episodic ${command} [options]\n\n${own.join('\n')}\n${json}\n` +
    'Settings (--config FILE, --data-dir DIR, …) are those of every command: `episodic --help` lists them.\n'
  );
}
