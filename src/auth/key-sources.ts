import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiKey } from './authenticate';
import { SCOPES } from './scopes';

/**
 * The API keys of `API_KEYS` (JSON) and `API_KEYS_FILE` (the same JSON in a file). Each problem is one line
 * naming the variable, with issue paths and messages only: never a key value.
 */
const apiKeysSchema = z.array(
  z
    .object({
      name: z.string().min(1),
      key: z.string().min(16, 'keys must be at least 16 characters'),
      scopes: z.array(z.enum(SCOPES)).min(1),
    })
    .strict(),
);

export function readApiKeys(
  inline: string | undefined,
  file: string | undefined,
  problems: string[],
): ApiKey[] {
  const sources: Array<[string, string | undefined]> = [['API_KEYS', inline]];
  if (file) {
    try {
      sources.push(['API_KEYS_FILE', readFileSync(file, 'utf8')]);
    } catch {
      problems.push('API_KEYS_FILE: cannot be read');
    }
  }
  const keys: ApiKey[] = [];
  for (const [name, text] of sources) {
    if (!text?.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problems.push(`${name}: must be a JSON array of {name, key, scopes}`);
      continue;
    }
    const parsed = apiKeysSchema.safeParse(json);
    // Issue paths and messages only: never the key values.
    if (!parsed.success)
      problems.push(
        `${name}: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`,
      );
    else keys.push(...parsed.data);
  }
  return keys;
}
