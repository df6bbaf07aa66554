import { Redis } from 'ioredis';
import type { Logger } from '../log';

/**
 * The gateway's one connection to Redis for shared state. Commands fail fast while it is down (no offline
 * queue, short timeouts), so every shared store falls back to its local twin at once instead of stalling
 * requests; it reconnects forever with a capped backoff. One warn line when it goes down and one info line
 * when it comes back: not one per failed command.
 */
type RedisState = 'up' | 'down';

export interface SharedRedis {
  /** The command connection (never put in subscriber mode). */
  client: Redis;
  /**
   * `campus-graph:<namespace>:<name>`: every key the gateway writes. The namespace names the upstreams, so
   * that gateways in front of different ScoDoc and Moodle sites can share one Redis without mixing answers.
   */
  key(name: string): string;
  state(): RedisState;
  /** Why it is down, for /ready (the error's message: host and port, never the password). */
  lastError(): string | undefined;
  /** Called on every down → up change (stores replay what they could not send meanwhile). */
  onUp(listener: () => void): void;
  /** A second connection for pub/sub (the caller subscribes on each 'ready'). */
  duplicate(): Redis;
  /** Resolves once connected, or after `ms` whatever the state (a start does not wait for Redis). */
  connected(ms: number): Promise<RedisState>;
  close(): Promise<void>;
}

const KEY_PREFIX = 'campus-graph:';

const CONNECT_TIMEOUT_MS = 1000;
const COMMAND_TIMEOUT_MS = 1000;
const MAX_BACKOFF_MS = 2000;

export function connectRedis(url: string, namespace: string, log: Logger): SharedRedis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails with it (the store falls back) instead of waiting.
    maxRetriesPerRequest: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_BACKOFF_MS),
    connectionName: 'campus-graph',
  });
  let state: RedisState = 'down';
  let everUp = false;
  let warned = false;
  let error: string | undefined = 'not connected yet';
  const upListeners: Array<() => void> = [];
  let closing = false;
  const goDown = (reason: string | undefined) => {
    if (reason) error = reason;
    if (closing || (state === 'down' && warned)) return;
    state = 'down';
    warned = true;
    log.warn(
      { redis: error },
      'Redis unreachable: rate limits, caches and read deduplication are per process until it is back',
    );
  };
  client.on('ready', () => {
    const wasDown = state === 'down';
    state = 'up';
    error = undefined;
    if (everUp || warned)
      log.info('Redis back: rate limits, caches and read deduplication shared again');
    everUp = true;
    warned = false;
    if (wasDown) for (const listener of upListeners) listener();
  });
  client.on('error', (err: Error) => {
    error = err.message || err.name;
    if (state === 'up' || !warned) goDown(error);
  });
  client.on('close', () => {
    if (state === 'up') goDown(error ?? 'connection closed');
  });
  return {
    client,
    key: (name) => `${KEY_PREFIX}${namespace}:${name}`,
    state: () => state,
    lastError: () => (state === 'up' ? undefined : error),
    onUp: (listener) => upListeners.push(listener),
    duplicate: () =>
      client.duplicate({
        connectionName: 'campus-graph-sub',
        autoResubscribe: false,
      }),
    connected: (ms) =>
      state === 'up'
        ? Promise.resolve(state)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(state), ms);
            client.once('ready', () => {
              clearTimeout(timer);
              resolve('up');
            });
          }),
    close: async () => {
      if (closing) return;
      closing = true;
      // QUIT when connected (pending replies arrive first), else just stop reconnecting.
      if (state === 'up') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
