import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Memory } from '@episodic/core';
import { bootstrapAdminToken, retireBootstrapTokenFile } from './auth/bootstrap-token.js';
import { parseServerConfig, resolveLocations, type ServerConfigInput } from './config/server-config.js';
import { ServerError } from './errors/server-error.js';
import { EventBus } from './events/event-bus.js';
import { createCallAdmission, defaultCallsPerToken } from './http/call-admission.js';
import { answerClientErrors } from './http/client-error.js';
import {
  connectionsCheckingIntervalMs,
  defaultMaxConnections,
  limitConnections,
} from './http/connection-limits.js';
import { databaseSize } from './http/database-size.js';
import { advertiseKeepAlive, keepConnectionsAlive } from './http/keep-alive.js';
import { loadTls } from './http/load-tls.js';
import { Metrics } from './http/metrics.js';
import { createRequestHandler, routeOf } from './http/request-handler.js';
import { createAppRouter } from './router.js';
import { makeDataDir } from './store/data-dir.js';
import { learningThreadMemory, openServingStore } from './store/open-serving-store.js';
import { type RetentionSchedule, scheduleRetention } from './store/retention-schedule.js';
import { announceServing } from './store/server-presence.js';

export interface StartServerOptions extends ServerConfigInput {
  /** Serve this store instead of opening one; the caller then closes it. */
  store?: Memory;
  /** Where the server reports what an operator should know (defaults to stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** `http://host:port` or `https://…`, with the port actually bound. */
  url: string;
  port: number;
  memory: Memory;
  /** Path of the admin token file written on this start, or `null` when tokens already existed. */
  adminTokenFile: string | null;
  /** Stops accepting, drains requests in flight, ends subscriptions, then closes the store. */
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolveListen, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new ServerError('LISTEN', `Cannot listen on ${host}:${port}: ${error.code ?? error.message}`, {
          cause: error,
        }),
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolveListen();
    });
  });
}

/** Opens the store (unless given one), creates the first admin token if needed and starts serving. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const { store: given, log = (line) => process.stderr.write(`${line}\n`), ...input } = options;
  const config = parseServerConfig(input);
  const locations = resolveLocations(config);
  makeDataDir(locations.dataDir);
  const tls =
    config.tlsCert !== undefined && config.tlsKey !== undefined
      ? loadTls(config.tlsCert, config.tlsKey)
      : null;

  const memory = given ?? (await openServingStore(config, log));
  const owned = given === undefined;
  let leaveDataDir: () => void = () => {};
  let retention: RetentionSchedule | null = null;
  let listening: Server | null = null;

  try {
    leaveDataDir = announceServing(locations.dataDir);
    const events = new EventBus({ maxPerOwner: config.maxSubscriptionsPerToken });
    const metrics = new Metrics();
    const admission = createCallAdmission(
      config.maxCallsPerToken ??
        defaultCallsPerToken({ databaseUrl: locations.databaseUrl, embeddings: config.embeddings }),
    );
    const dbBytes = databaseSize(memory.config.url);
    const router = createAppRouter({
      memory,
      events,
      databaseBytes: dbBytes,
      startedAt: Date.now(),
      maxBodyBytes: config.maxBodyBytes,
    });

    let draining = false;
    const inFlight = new Set<ServerResponse>();
    let diskFullLoggedAt = Number.NEGATIVE_INFINITY;
    let lostDatabaseLogged = false;
    let drained: (() => void) | null = null;
    const handle = createRequestHandler({
      router,
      memory,
      metrics,
      scrape: {
        cache: () => memory.admin.cacheStats(),
        databaseBytes: dbBytes,
        subscribers: () => events.subscriberCount,
        inFlight: () => inFlight.size,
        calls: () => ({ running: admission.running, waiting: admission.waiting }),
        learning: () => memory.learning.status(),
        learningMemory: () => learningThreadMemory(memory),
      },
      maxBodyBytes: config.maxBodyBytes,
      metricsAccess: config.metricsAccess,
      admission,
      draining: () => draining,
      onInternalError: (error, path) =>
        log(`internal error in ${path ?? 'request'}: ${(error as Error)?.stack ?? String(error)}`),
      onLostDatabase: (reason) => {
        // Once: the file stays lost until the process is started again.
        if (lostDatabaseLogged) return;
        lostDatabaseLogged = true;
        log(`/healthz answers 503 from now on: ${reason}`);
      },
      onDiskFull: () => {
        // Once a minute at most: while the disk stays full every write would say it again.
        const now = Date.now();
        if (now - diskFullLoggedAt < 60_000) return;
        diskFullLoggedAt = now;
        log(
          'the disk holding the database is full: writes are refused (503) until space is freed; reads go on',
        );
      },
    });
    const checking = { connectionsCheckingInterval: connectionsCheckingIntervalMs };
    const server: Server = (
      tls === null ? createHttpServer(checking) : createHttpsServer({ ...tls, ...checking })
    ) as Server;
    keepConnectionsAlive(server);
    let dropLoggedAt = Number.NEGATIVE_INFINITY;
    const maxConnections = config.maxConnections ?? defaultMaxConnections();
    limitConnections(server, maxConnections, () => {
      metrics.connectionDropped();
      // Once a minute at most: a flood would say it for every connection.
      const now = Date.now();
      if (now - dropLoggedAt < 60_000) return;
      dropLoggedAt = now;
      log(
        `${maxConnections} connections are open (maxConnections): new ones are refused until some close (episodic_http_connections_dropped_total counts them)`,
      );
    });
    answerClientErrors(server);
    server.on('request', (req, res: ServerResponse) => {
      inFlight.add(res);
      if (!draining) advertiseKeepAlive(res);
      res.once('close', () => {
        metrics.http(routeOf(req.url ?? '/'), res.writableFinished ? res.statusCode : 'aborted');
        inFlight.delete(res);
        if (draining) {
          server.closeIdleConnections();
          if (inFlight.size === 0) drained?.();
        }
      });
      handle(req, res);
    });
    await listen(server, config.port, config.host);
    listening = server;
    // Only once the server listens: a start that fails (the port is taken) must not leave behind
    // an admin secret nobody was told about, and the start that serves is the one that says so.
    const adminTokenFile = await bootstrapAdminToken(memory, locations.adminTokenFile);
    const retired =
      adminTokenFile === null ? await retireBootstrapTokenFile(memory, locations.adminTokenFile) : null;
    if (retired !== null) log(retired);
    // Also without episode policies: the pass prunes the audit log past its retention period.
    if (config.retentionIntervalMs > 0) {
      retention = scheduleRetention(memory, config.retention, config.retentionIntervalMs, log);
    }

    // The first retrieve would otherwise load the vectors itself (~4 s at 100,000 episodes). A
    // retrieve that comes meanwhile waits for this load, not a second one.
    const warmStarted = performance.now();
    memory.admin.warmUp().then(
      (index) => {
        const seconds = ((performance.now() - warmStarted) / 1000).toFixed(1);
        if (index !== null && index.vectors > 0)
          log(`vector index loaded: ${index.vectors} vectors in ${seconds} s`);
      },
      (error: unknown) => {
        // A close during the load ends it; otherwise the first retrieve tries again.
        if (!draining)
          log(
            `could not load the vector index ahead of the first retrieve: ${(error as Error)?.message ?? String(error)}`,
          );
      },
    );

    const port = (server.address() as AddressInfo).port;
    const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${tls === null ? 'http' : 'https'}://${hostInUrl}:${port}`;
    let closing: Promise<void> | null = null;

    return {
      url,
      port,
      memory,
      adminTokenFile,
      close() {
        closing ??= (async () => {
          draining = true;
          // Answers still being prepared end their connection, so clients do not send more on it.
          for (const res of inFlight)
            if (!res.headersSent) {
              res.setHeader('connection', 'close');
              res.removeHeader('keep-alive');
            }
          const stopped = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
          server.closeIdleConnections();
          events.close();
          if (inFlight.size > 0) {
            await new Promise<void>((resolveDrain) => {
              drained = resolveDrain;
              setTimeout(resolveDrain, config.drainTimeoutMs).unref();
            });
          }
          server.closeAllConnections();
          await stopped;
          await retention?.stop();
          if (owned) await memory.close();
          leaveDataDir();
        })();
        return closing;
      },
    };
  } catch (error) {
    if (listening !== null) {
      const stopped = listening;
      const closed = new Promise<void>((resolveClose) => stopped.close(() => resolveClose()));
      stopped.closeAllConnections();
      await closed;
    }
    await retention?.stop();
    if (owned) await memory.close();
    leaveDataDir();
    throw error;
  }
}
