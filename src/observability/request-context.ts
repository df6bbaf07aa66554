import { AsyncLocalStorage } from 'node:async_hooks';

/** The request an upstream call is made for: its id goes into every log line and upstream request. */
export interface RequestScope {
  requestId: string;
  /**
   * Who the request is for, once authenticated: `key:<name>`, `jwt:<sub>` or `ip:<address>`. Its fair share
   * of each upstream is counted under this key (src/upstreams/fair-share.ts).
   */
  client?: string;
  /** The operation being executed, once parsed: a shutdown that cuts it off says which it was. */
  operationType?: 'query' | 'mutation' | 'subscription';
  operationName?: string;
  /** The upstream calls this request may still make (MAX_UPSTREAM_CALLS), and those it made. */
  budget?: { limit: number; used: number };
}

/** The client of calls made outside a request: the CLI, sync jobs, the self-check, readiness probes. */
const INTERNAL_CLIENT = 'internal';

export const requestScope = new AsyncLocalStorage<RequestScope>();

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

/**
 * Counts one upstream call against the request's budget; false when the budget is spent (the call must
 * not be made). Calls outside a request have no budget.
 */
export function chargeUpstreamCall(): boolean {
  const budget = requestScope.getStore()?.budget;
  if (!budget) return true;
  if (budget.used >= budget.limit) return false;
  budget.used += 1;
  return true;
}

export function currentClient(): string {
  return requestScope.getStore()?.client ?? INTERNAL_CLIENT;
}
