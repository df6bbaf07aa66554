import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import type { PersonalDataPolicy } from '../../src/personal-data';
import type { SecurityConfig } from '../../src/config';
import type { AccountPolicy } from '../../src/domain/accounts';
import type { ResilienceOptions } from '../../src/upstreams/resilience';
import { createGateway, type Gateway } from '../../src/server';
import {
  MOODLE_SIM_TOKEN,
  SCODOC_SIM_PASSWORD,
  SCODOC_SIM_USER,
  startSimulators,
  type RunningSimulators,
} from '../../src/simulators/start';

const TODAY = '2026-11-23';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface TestGateway {
  url: string;
  sims: RunningSimulators;
  logLines: string[];
  gateway: Gateway;
  query<T, V>(
    doc: TypedDocumentNode<T, V> | string,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /**
   * Sends a typed document and returns its data, typed by the document: throws (failing the test) when the
   * answer carries GraphQL errors or no data. For mutations, whose expected failures are typed results.
   */
  execute<T, V>(
    doc: TypedDocumentNode<T, V>,
    variables: V,
    headers?: Record<string, string>,
  ): Promise<T>;
  /** Upstream calls since the last reset: ScoDoc route templates and Moodle wsfunctions, in one map. */
  calls(): Record<string, number>;
  resetCalls(): void;
  /** Clears every injected fault on both simulators and zeroes the call counters. */
  reset(): void;
  close(): Promise<void>;
}

/** Both simulators and a gateway on ephemeral loopback ports, with logs captured for leak checks. */
export async function startTestGateway(
  opts: {
    students?: number;
    seed?: number;
    security?: SecurityConfig;
    production?: boolean;
    secrets?: string[];
    resilience?: Partial<ResilienceOptions>;
    timeoutMs?: number;
    listCacheTtlMs?: number;
    /** Off (0) unless a test asks: the other tests count upstream calls and inject faults query by query. */
    responseCacheTtlMs?: number;
    captureLogs?: boolean;
    /** LOG_PERSONAL_DATA of the gateway's logger (pseudonymous, the default, unless a test asks). */
    personalData?: PersonalDataPolicy;
    pseudonymKey?: string;
    accounts?: AccountPolicy;
    /** Pool size of each upstream (10 here; the production default is in src/config.ts). */
    connections?: number;
    /** /metrics on its own port (0 = ephemeral) and/or behind a bearer token. */
    metricsEndpoint?: { port?: number; token?: string };
  } = {},
): Promise<TestGateway> {
  const sims = await startSimulators({
    scodoc: true,
    moodle: true,
    scodocPort: 0,
    moodlePort: 0,
    seed: opts.seed ?? 2026,
    students: opts.students ?? 300,
    today: TODAY,
  });
  const logLines: string[] = [];
  // Tests read the log lines; long runs (the soak) would only accumulate them, so they are dropped there.
  const capture = opts.captureLogs ?? true;
  const destination = new Writable({
    write(chunk, _enc, done) {
      if (capture) logLines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({
    level: 'debug',
    destination,
    secrets: [SCODOC_SIM_PASSWORD, MOODLE_SIM_TOKEN, ...(opts.secrets ?? [])],
    personalData: opts.personalData,
    pseudonymKey: opts.pseudonymKey,
  });
  const gateway = createGateway({
    scodoc: {
      url: `${sims.scodoc!.url}/ScoDoc`,
      username: SCODOC_SIM_USER,
      password: SCODOC_SIM_PASSWORD,
      timeoutMs: opts.timeoutMs ?? 5000,
      connections: opts.connections ?? 10,
    },
    moodle: {
      url: sims.moodle!.url,
      token: MOODLE_SIM_TOKEN,
      timeoutMs: opts.timeoutMs ?? 5000,
      connections: opts.connections ?? 10,
      maxParamsPerRequest: 4000,
    },
    log,
    today: () => TODAY,
    security: opts.security,
    production: opts.production,
    resilience: opts.resilience,
    listCacheTtlMs: opts.listCacheTtlMs,
    responseCacheTtlMs: opts.responseCacheTtlMs ?? 0,
    accounts: opts.accounts,
    metricsEndpoint: opts.metricsEndpoint,
  });
  const url = await gateway.listen(0, '127.0.0.1');

  const query: TestGateway['query'] = async (doc, variables, headers = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...headers,
      },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    const body = (await res.json()) as GraphQLResponse<never>;
    return { status: res.status, data: body.data, errors: body.errors };
  };

  return {
    url,
    sims,
    logLines,
    gateway,
    query,
    async execute(doc, variables, headers) {
      const res = await query(doc, variables, headers);
      if (res.errors) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
      if (!res.data) throw new Error(`no data (HTTP ${res.status})`);
      return res.data;
    },
    calls: () => ({ ...sims.scodoc!.stats(), ...sims.moodle!.stats() }),
    resetCalls: () => {
      sims.scodoc!.resetStats();
      sims.moodle!.resetStats();
    },
    reset() {
      for (const sim of [sims.scodoc!, sims.moodle!]) sim.clearFaults();
      sims.scodoc!.resetStats();
      sims.moodle!.resetStats();
    },
    async close() {
      await gateway.close();
      await sims.close();
    },
  };
}
