import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type SpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (or an exporter is given, in tests):
 * a span per GraphQL request, per loader batch and per upstream call. Off, the API's no-op tracer costs
 * nothing. Returns the function that flushes and stops it.
 */
export function initTracing(opts: {
  endpoint?: string;
  exporter?: SpanExporter;
}): () => Promise<void> {
  if (!opts.endpoint && !opts.exporter) return async () => {};
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
