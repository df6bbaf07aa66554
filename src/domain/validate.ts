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

const WELL_FORMED_MESSAGE = 'must be well-formed Unicode (no lone surrogate)';

/**
 * Every string that may reach an upstream: well-formed Unicode only. A lone surrogate ("\ud800") cannot be
 * encoded as UTF-8 (encodeURIComponent throws), so it would fail half-way through a write, after another
 * upstream already accepted its part.
 */
export const text = z.string().refine((s) => s.isWellFormed(), WELL_FORMED_MESSAGE);

/** A NIP as a caller may type it (spreadsheet noise tolerated), normalised. */
export const nipInput = text.transform((s, ctx) => {
  const nip = normalizeNip(s);
  if (!nip || !/^[A-Za-z0-9]{1,20}$/.test(nip)) {
    ctx.addIssue({ code: 'custom', message: 'a NIP is 1 to 20 letters or digits' });
    return z.NEVER;
  }
  return nip;
});

/** More NIPs than this in one call is a mistake or an abuse: a whole semester is a few hundred. */
export const MAX_NIPS = 2000;
