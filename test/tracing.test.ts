import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initTracing } from '../src/observability/otel';
import { startTestGateway, type TestGateway } from './support/gateway';

// Its own file: a tracer provider is registered once per process.
const exporter = new InMemorySpanExporter();
let stop: () => Promise<void>;
let gw: TestGateway;
beforeAll(async () => {
  stop = await initTracing({ exporter });
  gw = await startTestGateway({ students: 30 });
});
afterAll(async () => {
  await gw.close();
  await stop();
});

it('a span per GraphQL request, per loader batch and per upstream call, in one trace', async () => {
  const s = gw.sims.university.students.find((x) => x.moodle === 'active')!;
  await gw.query(`{ student(nip: "${s.nip}") { lastName moodleAccount { username } } }`);
  const spans = exporter.getFinishedSpans();
  const names = spans.map((sp) => sp.name);
  expect(names).toContain('graphql request');
  expect(names).toContain('loader batch');
  expect(names).toContain('loader batch users-by-idnumber');
  expect(names).toContain('scodoc GET /etudiants/nip/<nip>');
  expect(names).toContain('moodle core_user_get_users_by_field');
  const root = spans.find((sp) => sp.name === 'graphql request')!;
  const upstream = spans.find((sp) => sp.name === 'moodle core_user_get_users_by_field')!;
  expect(upstream.spanContext().traceId).toBe(root.spanContext().traceId);
});
