import type { z } from 'zod';
import { ValidationError } from './errors';

/** Parses mutation input with zod before any upstream call; a failure names every offending field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, root = 'input'): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((i) => ({
      path: [root, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      message: i.message,
    })),
  );
}
