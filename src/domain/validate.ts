import { z } from 'zod';
import { ValidationError } from './errors';
import { normalizeNip } from './linking';

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

/** A NIP as a caller may type it (spreadsheet noise tolerated), normalised. */
export const nipInput = z.string().transform((s, ctx) => {
  const nip = normalizeNip(s);
  if (!nip || !/^[A-Za-z0-9]{1,20}$/.test(nip)) {
    ctx.addIssue({ code: 'custom', message: 'a NIP is 1 to 20 letters or digits' });
    return z.NEVER;
  }
  return nip;
});

/** More NIPs than this in one call is a mistake or an abuse: a whole semester is a few hundred. */
export const MAX_NIPS = 2000;
