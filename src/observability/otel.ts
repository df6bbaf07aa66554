import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (or an exporter is given, in tests):
 * a span per GraphQL request, per loader batch and per upstream call. Off, the API's no-op tracer costs
 * nothing, and the SDK and its exporter are not even loaded (about 12 MB of a process that should stay small).
 * Returns the function that flushes and stops it.
 */
export async function initTracing(opts: {
  endpoint?: string;
  exporter?: SpanExporter;
}): Promise<() => Promise<void>> {
  if (!opts.endpoint && !opts.exporter) return async () => {};
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, base, { NodeTracerProvider }] =
    await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/sdk-trace-node'),
    ]);
  const { BatchSpanProcessor, SimpleSpanProcessor } = base;
  const exporter =
    opts.exporter ??
    new OTLPTraceExporter({ url: `${opts.endpoint!.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'campus-graph' }),
    spanProcessors: [
      opts.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    ],
  });
  provider.register();
  return () => provider.shutdown();
}
