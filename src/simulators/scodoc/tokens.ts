import { randomBytes } from 'node:crypto';
import type { SimRequest, SimResponse } from '../harness';
import { json, unauthorized } from './replies';

/** ScoDoc's token auth: `POST /tokens` with Basic credentials issues a token, every other call sends it. */

export interface TokenAuth {
  /** Answers `POST /tokens`. */
  issue(req: SimRequest): SimResponse;
  /** Whether the request carries a live Bearer token. */
  authorized(req: SimRequest): boolean;
  /** Forgets every issued token. */
  revoke(): void;
}

export function createTokenAuth(opts: {
  username: string;
  password: string;
  ttlMs: number;
  /** Clock in ms for token expiry. */
  now: () => number;
}): TokenAuth {
  const { now, ttlMs } = opts;
  const tokens = new Map<string, number>();
  let current: { token: string; expiresAt: number } | null = null;

  return {
    issue(req) {
      const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      const [user, ...rest] = auth
        ? Buffer.from(auth[1]!, 'base64').toString('utf8').split(':')
        : [];
      // unverified: bad Basic credentials get the same 401 body as a bad token.
      if (user !== opts.username || rest.join(':') !== opts.password) return unauthorized();
      // scodoc-evidence.md: get_token "returns the same token while it has more than 60 s left".
      if (current && current.expiresAt - now() > 60_000 && tokens.has(current.token))
        return json({ token: current.token });
      // scodoc-evidence.md: "Tokens are standard base64 (`+`, `/`, `=` can occur), not base64url"; 40 bytes
      // always end in "=" padding.
      current = { token: randomBytes(40).toString('base64'), expiresAt: now() + ttlMs };
      tokens.set(current.token, current.expiresAt);
      return json({ token: current.token });
    },
    authorized(req) {
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      const expiresAt = bearer ? tokens.get(bearer[1]!) : undefined;
      return expiresAt !== undefined && expiresAt > now();
    },
    revoke() {
      tokens.clear();
      current = null;
    },
  };
}
