import type { Server, ServerResponse } from 'node:http';
import type { Logger } from './log';
import type { RequestScope } from './observability/request-context';

/**
 * The GraphQL requests a gateway is answering, so that stopping it can let them finish and, once the grace
 * period is over, answer those still running instead of resetting their connections: a client that gets a
 * reset cannot tell a lost request from a lost answer, one that gets 503 SHUTTING_DOWN knows to retry
 * elsewhere (and, after a mutation, to check what it did).
 */
export class InFlightRequests {
  private readonly open = new Map<ServerResponse, RequestScope>();
  private readonly cut = new WeakSet<ServerResponse>();
  closing = false;

  track(res: ServerResponse, scope: RequestScope): void {
    this.open.set(res, scope);
    res.on('close', () => this.open.delete(res));
  }

  /** Whether this response was already answered by `cutOff` (the handler's own late answer is dropped). */
  wasCut(res: ServerResponse): boolean {
    return this.cut.has(res);
  }

  get size(): number {
    return this.open.size;
  }

  /** Answers every request still running with 503, and says which in the log: a mutation's effect is unknown. */
  cutOff(log: Logger): number {
    let count = 0;
    for (const [res, scope] of this.open) {
      if (res.headersSent) continue;
      this.cut.add(res);
      count += 1;
      const mutation = scope.operationType === 'mutation';
      log.warn(
        { requestId: scope.requestId, operation: scope.operationName, mutation },
        mutation
          ? 'shutdown grace over: a mutation still running was answered 503, its effect is unknown'
          : 'shutdown grace over: a request still running was answered 503',
      );
      res.writeHead(503, {
        'content-type': 'application/json',
        connection: 'close',
        'retry-after': '1',
      });
      res.end(JSON.stringify(shuttingDown(mutation)));
    }
    return count;
  }
}

export function shuttingDown(mutationCut = false) {
  return {
    errors: [
      {
        message: mutationCut
          ? 'The gateway stopped before this mutation finished: it may have been applied in part. Read the records back before retrying.'
          : 'The gateway is shutting down: retry the request.',
        extensions: { code: 'SHUTTING_DOWN' },
      },
    ],
  };
}

/**
 * Stops accepting connections, lets requests in flight finish for up to `graceMs`, answers those still
 * running with 503, then closes every connection.
 */
export async function drain(
  server: Server,
  inFlight: InFlightRequests,
  graceMs: number,
  log: Logger,
): Promise<void> {
  inFlight.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Idle keep-alive sockets would hold close() open; those that finish their last request become idle.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), graceMs)),
  );
  const outcome = await Promise.race([closed, late]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (outcome === 'late') {
    const cut = inFlight.cutOff(log);
    if (cut > 0) log.warn({ requests: cut, graceMs }, 'requests cut off by the shutdown grace');
    // Give the 503s a moment to leave before the sockets go.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.closeAllConnections();
}
