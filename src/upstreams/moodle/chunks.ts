import { UpstreamError } from '../errors';
import { MoodleBatchError } from './errors';
import { chunkByBudget, type FormValue } from './form';

/**
 * Runs all-or-nothing chunks in order, each under the form-value budget; a failure after earlier chunks
 * were applied says how many items they applied (MoodleBatchError), so a caller can re-read before retrying.
 */
export async function inChunks<T>(
  items: readonly T[],
  budget: number,
  run: (chunk: T[]) => Promise<number>,
): Promise<void> {
  let applied = 0;
  for (const chunk of chunkByBudget(items as unknown as FormValue[], budget) as unknown as T[][]) {
    try {
      applied += await run(chunk);
    } catch (err) {
      if (applied > 0 && err instanceof UpstreamError) throw new MoodleBatchError(err, applied);
      throw err;
    }
  }
}
