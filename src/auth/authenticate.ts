import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { isScope, OPEN_CALLER, type Caller, type Scope } from './scopes';

export interface ApiKey {
  name: string;
  key: string;
  scopes: Scope[];
}

interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Claim holding the scopes: a space-separated string (OAuth `scope`) or an array. */
  scopesClaim: string;
}

export interface AuthSettings {
  apiKeys: ApiKey[];
  jwt: JwtSettings | null;
  /** Authentication explicitly turned off (AUTH_DISABLED=true), or nothing configured in demo mode. */
  disabled: boolean;
}

type AuthResult = { ok: true; caller: Caller } | { ok: false; reason: string };

export interface Authenticator {
  enabled: boolean;
  authenticate(authorization: string | undefined): Promise<AuthResult>;
}

/**
 * Reads `Authorization: Bearer <API key or JWT>`. API keys are compared in constant time against every
 * configured key (digests of equal length, no early exit), so timing tells nothing about a key.
 */
export function createAuthenticator(settings: AuthSettings): Authenticator {
  const enabled = !settings.disabled && (settings.apiKeys.length > 0 || settings.jwt !== null);
  const keys = settings.apiKeys.map((k) => ({ ...k, digest: sha256(k.key) }));
  const jwtKey: JWTVerifyGetKey | Uint8Array | null = settings.jwt?.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwt.jwksUrl))
    : settings.jwt?.secret
      ? new TextEncoder().encode(settings.jwt.secret)
      : null;

  async function authenticate(authorization: string | undefined): Promise<AuthResult> {
    if (!enabled) return { ok: true, caller: OPEN_CALLER };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing bearer credentials' };
    const token = m[1]!;
    const digest = sha256(token);
    let match: (typeof keys)[number] | undefined;
    for (const k of keys) if (timingSafeEqual(k.digest, digest)) match = k;
    if (match)
      return { ok: true, caller: { name: `key:${match.name}`, scopes: new Set(match.scopes) } };
    if (jwtKey && token.split('.').length === 3) return verifyJwt(token);
    return { ok: false, reason: 'unknown credentials' };
  }

  async function verifyJwt(token: string): Promise<AuthResult> {
    const jwt = settings.jwt!;
    try {
      const { payload } = await jwtVerify(token, jwtKey as never, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.jwksUrl ? undefined : ['HS256', 'HS384', 'HS512'],
        // A token without an expiry would be valid forever: refused.
        requiredClaims: ['exp'],
      });
      const raw = payload[jwt.scopesClaim];
      // Only strings name scopes: String([['*']]) would be '*'.
      const list =
        typeof raw === 'string'
          ? raw.split(/\s+/)
          : Array.isArray(raw)
            ? raw.filter((s): s is string => typeof s === 'string')
            : [];
      return {
        ok: true,
        caller: { name: `jwt:${payload.sub ?? 'unknown'}`, scopes: new Set(list.filter(isScope)) },
      };
    } catch {
      return { ok: false, reason: 'invalid token' };
    }
  }

  return { enabled, authenticate };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
