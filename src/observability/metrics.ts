import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, served at /metrics. One registry per gateway (tests run several in one process).
 * Labels stay low-cardinality: operation names, upstream systems and functions (route templates), outcomes;
 * never a client key (unbounded).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly graphqlRequests = new Counter({
    name: 'campusgraph_graphql_requests_total',
    help: 'GraphQL requests by operation and outcome.',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'campusgraph_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation.',
    labelNames: ['operation'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly upstreamCalls = new Counter({
    name: 'campusgraph_upstream_calls_total',
    help: 'Upstream HTTP calls by system, function and outcome.',
    labelNames: ['system', 'function', 'outcome'],
    registers: [this.registry],
  });
  readonly upstreamDuration = new Histogram({
    name: 'campusgraph_upstream_call_duration_seconds',
    help: 'Upstream call latency by system and function.',
    labelNames: ['system', 'function'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'campusgraph_upstream_retries_total',
    help: 'Upstream read retries by system.',
    labelNames: ['system'],
    registers: [this.registry],
  });
  readonly upstreamQueued = new Gauge({
    name: 'campusgraph_upstream_queued_calls',
    help: "Upstream calls waiting for a slot of their client's fair share, by system.",
    labelNames: ['system'],
    registers: [this.registry],
  });
  readonly upstreamSaturated = new Counter({
    name: 'campusgraph_upstream_saturated_total',
    help: 'Upstream calls refused because the queue was full (never sent), by system.',
    labelNames: ['system'],
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({
    name: 'campusgraph_upstream_breaker_state',
    help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.',
    labelNames: ['system'],
    registers: [this.registry],
  });
  readonly responseCache = new Counter({
    name: 'campusgraph_response_cache_total',
    help: 'Queries answered from the response cache (hit) or executed while it is on (miss).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'campusgraph_' });
  }
}
