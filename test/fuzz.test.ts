import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schema } from '../src/graph/schema';
import { anyOf } from './support/expect';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * Thousands of generated and mutated operations against the running gateway (open mode, so they reach the
 * resolvers and the simulators): random depth and aliases, wrong types, huge strings, unicode, strings that
 * look like injections. The gateway must answer every one, never with a 5xx, and never hang.
 */
const COUNT = 2500;
const CONCURRENCY = 16;
const NASTY = [
  "'; DROP TABLE etudiant; --",
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '\u0000\u0001\u0002',
  'ÉTIENNE-Œdipe ß 漢字 🎓',
  '%00%2e%2e%2f',
  ' 12345678.0 ',
  'A'.repeat(5000),
  '',
  '\\u0000"\\',
  'wsfunction=core_user_delete_users&userids[0]=2',
  // Lone surrogates (not encodable as UTF-8), dot segments, and global ids with non-integer numbers.
  '\ud800',
  'A\udfffB',
  '..',
  '.',
  ...['NaN', 'Infinity', '-1', '1.5', '0x10', ' 7'].flatMap((n) =>
    ['Student', 'Semester', 'Course'].map((t) => Buffer.from(`${t}:${n}`).toString('base64')),
  ),
  Buffer.from('Department:..').toString('base64'),
];

let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

function value(type: GraphQLInputType, depth = 0): string {
  if (isNonNullType(type)) return value(type.ofType, depth);
  if (isListType(type))
    return `[${Array.from({ length: Math.floor(rnd() * 4) }, () => value(type.ofType, depth + 1)).join(', ')}]`;
  if (rnd() < 0.1) return pick(['null', '3.7', '"x"', 'true', '[1]', '{a: 1}', '-2147483649']); // wrong type on purpose
  if (isEnumType(type)) return pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    if (depth > 3) return '{}';
    const fields = Object.values(type.getFields()).filter(
      (f) => isNonNullType(f.type) || rnd() < 0.6,
    );
    return `{ ${fields.map((f) => `${f.name}: ${value(f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return String(pick([0, 1, -1, 7, 1001, 1020, 2147483647, 999999]));
      case 'Boolean':
        return pick(['true', 'false']);
      default:
        return JSON.stringify(rnd() < 0.5 ? pick(NASTY) : String(Math.floor(rnd() * 1e8)));
    }
  }
  return 'null';
}

function selection(type: GraphQLObjectType, depth: number): string {
  const fields = Object.values(type.getFields());
  const chosen = fields.filter(() => rnd() < 0.35);
  if (chosen.length === 0) chosen.push(pick(fields));
  return chosen.map((f) => field(f, depth)).join(' ');
}

function field(f: GraphQLField<unknown, unknown>, depth: number): string {
  const alias = rnd() < 0.15 ? `a${Math.floor(rnd() * 1000)}: ` : '';
  const args = f.args.length
    ? `(${f.args
        .filter((a) => isNonNullType(a.type) || rnd() < 0.5)
        .map((a) => `${a.name}: ${value(a.type)}`)
        .join(', ')})`
    : '';
  const type = getNamedType(f.type);
  if (isObjectType(type))
    return depth <= 0
      ? `${alias}${f.name}${args} { __typename }`
      : `${alias}${f.name}${args} { ${selection(type, depth - 1)} }`;
  if (isUnionType(type) || isInterfaceType(type))
    return `${alias}${f.name}${args} { __typename ... on Error { message code } }`;
  return `${alias}${f.name}${args}`;
}

function generated(): string {
  const root = rnd() < 0.7 ? schema.getQueryType()! : schema.getMutationType()!;
  const depth = Math.floor(rnd() * 14);
  return `${root === schema.getQueryType() ? 'query' : 'mutation'} { ${selection(root, depth)} }`;
}

// The example operations at the top of schema/operations (the mutations' subfolder is left out).
const examples = readdirSync(fileURLToPath(new URL('../schema/operations/', import.meta.url)))
  .filter((f) => f.endsWith('.graphql'))
  .map((f) =>
    readFileSync(fileURLToPath(new URL(`../schema/operations/${f}`, import.meta.url)), 'utf8'),
  );
function mutated(): string {
  const chars = [...pick(examples)];
  for (let i = 0; i < 1 + Math.floor(rnd() * 6); i += 1) {
    const at = Math.floor(rnd() * chars.length);
    const op = rnd();
    if (op < 0.4) chars.splice(at, 1);
    else if (op < 0.8)
      chars.splice(
        at,
        0,
        pick(['{', '}', '(', ')', '$', '"', ':', '!', '@', '#', 'é', '\u0000', ' ']),
      );
    else chars[at] = pick(['x', '9', '[', ']']);
  }
  return chars.join('');
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ students: 100 });
});
afterAll(() => gw.close());

it(`${COUNT} generated and mutated operations: no 5xx, no crash, no hang`, async () => {
  const bodies: string[] = [];
  for (let i = 0; i < COUNT; i += 1) {
    const query = i % 3 === 2 ? mutated() : generated();
    const variables =
      rnd() < 0.2
        ? { acronym: pick(NASTY), id: pick([1, 'x', null, 1e20]), first: pick([1, -5, 10_000]) }
        : undefined;
    bodies.push(
      rnd() < 0.02
        ? pick(['{', 'null', '[]', '{"query": 5}', '{"query":"{}", "variables": "x"}'])
        : JSON.stringify({ query, variables }),
    );
  }
  const statuses = new Map<number, number>();
  let next = 0;
  async function worker() {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`HTTP ${res.status} for ${body.slice(0, 300)}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  expect(total).toBe(COUNT);
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  // The gateway is still healthy and answering after the storm.
  expect((await gw.query('{ departments { acronym } }')).data).toMatchObject({
    departments: anyOf(Array),
  });
  // Every failure must be an expected one (bad input, an upstream refusal): none may reach the "unexpected" mask.
  const unexpected = gw.logLines.filter((l) => l.includes('unexpected error in a resolver'));
  expect(
    unexpected.map((l) => (JSON.parse(l) as { err?: { message?: string } }).err?.message),
  ).toEqual([]);
  process.stdout.write(
    `fuzz: ${COUNT} operations, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
  );
}, 120_000);
