import { AsyncLocalStorage } from 'node:async_hooks';

/** The request an upstream call is made for: its id goes into every log line and upstream request. */
export interface RequestScope {
  requestId: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}
