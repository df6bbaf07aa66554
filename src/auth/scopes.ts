/**
 * What a client may do. `read` covers the graph except personal data; `read:personal` adds e-mails, INE,
 * civility (anything that identifies or describes a person beyond name and NIP); each write family has its
 * own scope; `*` is everything.
 */
export const SCOPES = [
  'read',
  'read:personal',
  'write:departments',
  'write:accounts',
  'write:courses',
  'write:enrolments',
  'sync',
  '*',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface Caller {
  /** API key name or JWT subject: who the audit line names. */
  name: string;
  scopes: ReadonlySet<Scope>;
}

export function allows(caller: Caller, scope: Scope): boolean {
  return caller.scopes.has('*') || caller.scopes.has(scope);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** The caller when authentication is off (demo mode, or AUTH_DISABLED=true): everything is allowed. */
export const OPEN_CALLER: Caller = { name: 'anonymous', scopes: new Set<Scope>(['*']) };

/** Requests let through without credentials (CORS preflight, the GraphiQL page): allowed nothing. */
export const NOBODY: Caller = { name: 'unauthenticated', scopes: new Set<Scope>() };
