import { Trail } from '../../provisioning/context';
import { isUpstreamError } from '../../upstreams/errors';
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
    ctx.log.info(
      {
        audit: {
          mutation,
          who: ctx.caller.name,
          input,
          outcome,
          touched: trail.touched,
          ms: Date.now() - started,
          ...extra,
        },
      },
      `audit ${mutation} ${outcome}`,
    );
  try {
    const result = await run(trail);
    line('success');
    return result;
  } catch (err) {
    const e = err as Error & { code?: string };
    // An upstream's own diagnostics (Moodle's debuginfo: which parameter, which setting) belong in the log
    // line of the failure, never in the answer.
    const detail = isUpstreamError(err) ? err.detail : undefined;
    line(e.name, { code: e.code, message: e.message, ...(detail ? { detail } : {}) });
    throw err;
  }
}
