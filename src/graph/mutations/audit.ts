import { auditLine, failureOf } from '../../audit';
import { Trail } from '../../provisioning/context';
import type { GraphContext } from '../context';

/**
 * One structured log line per mutation: who, what, the input (the logger redacts anything secret-named),
 * the outcome, and every upstream record touched, whether the mutation succeeded or not.
 */
export async function audited<T>(
  ctx: GraphContext,
  mutation: string,
  input: unknown,
  run: (trail: Trail) => Promise<T>,
): Promise<T> {
  const trail = new Trail();
  const started = Date.now();
  const line = (outcome: string, extra: Record<string, unknown> = {}) =>
    auditLine(ctx.log, mutation, outcome, {
      mutation,
      who: ctx.caller.name,
      input,
      touched: trail.touched,
      ms: Date.now() - started,
      ...extra,
    });
  try {
    const result = await run(trail);
    line('success');
    return result;
  } catch (err) {
    const { outcome, fields } = failureOf(err);
    line(outcome, fields);
    throw err;
  }
}
