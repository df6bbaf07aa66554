import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/** The tracer spans are made with; a no-op until tracing is initialised (src/observability/otel.ts). */
const tracer = () => trace.getTracer('campus-graph');

/** Runs `work` in a span that records its failure. */
export function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
