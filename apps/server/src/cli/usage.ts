export const usage = `Usage: episodic <command> [options]

Commands:
  serve                          Start the server (until SIGTERM or Ctrl-C)
  tokens create --name NAME      Create a bearer token and print it (shown only once)
          [--scopes read,write,admin] [--domains a,b]   (default: read,write on every domain)
  tokens list [--json]           List tokens (never their secrets)
  tokens revoke ID               Revoke a token for good

Settings (flags > environment > config file > defaults):
  --config FILE                  EPISODIC_CONFIG              JSON file with any setting below
  --host HOST                    EPISODIC_HOST                default 127.0.0.1
  --port PORT                    EPISODIC_PORT                default 7777 (0: any free port)
  --data-dir DIR                 EPISODIC_DATA_DIR            default ./data
  --database-url URL             EPISODIC_DATABASE_URL        default file:<data-dir>/memory.db
                                 EPISODIC_DATABASE_AUTH_TOKEN for libsql:// and Turso
  --tls-cert FILE --tls-key FILE EPISODIC_TLS_CERT/_KEY       serve HTTPS
  --max-body-bytes N             EPISODIC_MAX_BODY_BYTES      default 8388608
  --drain-timeout-ms N           EPISODIC_DRAIN_TIMEOUT_MS    default 10000
`;
