import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { OperationManifest } from './graph/persisted-operations';

/**
 * `PERSISTED_OPERATIONS` and `PERSISTED_OPERATIONS_FILE`, parsed beside the rest of the configuration:
 * - `allow` (the default): a request may name a persisted operation by hash or send any document;
 * - `only`: a request must name one (the production recommendation for frontends and partners);
 * - `off`: hashes are not looked up at all.
 * The file adds a client's own operations (registered at its build): a JSON object hash → document.
 */
export const persistedOperationVars = {
  PERSISTED_OPERATIONS: z.enum(['off', 'allow', 'only']).default('allow'),
  PERSISTED_OPERATIONS_FILE: z.string().optional(),
};

export interface PersistedOperationsConfig {
  mode: 'off' | 'allow' | 'only';
  /** The operations of PERSISTED_OPERATIONS_FILE, beside the gateway's own manifest. */
  extra: OperationManifest;
}

const manifestFile = z
  .record(z.string(), z.string().min(1))
  .refine((ops) => Object.keys(ops).every((hash) => /^[0-9a-f]{64}$/.test(hash)));

export function persistedOperationsOf(
  env: {
    PERSISTED_OPERATIONS: PersistedOperationsConfig['mode'];
    PERSISTED_OPERATIONS_FILE?: string;
  },
  problems: string[],
): PersistedOperationsConfig {
  const file = env.PERSISTED_OPERATIONS_FILE;
  if (!file) return { mode: env.PERSISTED_OPERATIONS, extra: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push('PERSISTED_OPERATIONS_FILE: cannot be read');
    return { mode: env.PERSISTED_OPERATIONS, extra: {} };
  }
  let parsed: ReturnType<typeof manifestFile.safeParse> | null = null;
  try {
    parsed = manifestFile.safeParse(JSON.parse(text));
  } catch {
    // Not JSON: said below.
  }
  if (!parsed?.success) {
    problems.push(
      'PERSISTED_OPERATIONS_FILE: must be a JSON object of SHA-256 hex hash → GraphQL document, like schema/persisted-operations.json',
    );
    return { mode: env.PERSISTED_OPERATIONS, extra: {} };
  }
  return { mode: env.PERSISTED_OPERATIONS, extra: parsed.data };
}
