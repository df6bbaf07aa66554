/**
 * What a partner integration looks like: a typed client of Campus Graph, from the documents in
 * schema/operations (typed by `npm run codegen`), sent as persisted operations — by hash, no query text —
 * so it keeps working against a gateway with PERSISTED_OPERATIONS=only.
 *
 *   npm start                                  # demo mode, in another terminal
 *   npx tsx examples/partner-client.ts         # CAMPUS_GRAPH_URL (http://localhost:4000), CAMPUS_GRAPH_API_KEY
 *
 * It lists the départements, then pages through the first one's students with their Moodle accounts.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  DepartmentRosterDocument,
  DepartmentsDocument,
  type DepartmentRosterQuery,
} from '../src/generated/operations';
import { operationHash } from '../src/graph/persisted-operations';

const GATEWAY = process.env.CAMPUS_GRAPH_URL ?? 'http://localhost:4000';
const API_KEY = process.env.CAMPUS_GRAPH_API_KEY;

/** One operation by hash: the answer typed by its document, or an Error carrying the gateway's messages. */
async function run<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const res = await fetch(`${GATEWAY}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(API_KEY ? { authorization: `Bearer ${API_KEY}` } : {}),
    },
    // The hash of the printed document: the key of schema/persisted-operations.json.
    body: JSON.stringify({ documentId: `sha256:${operationHash(print(document))}`, variables }),
  });
  const body = (await res.json()) as { data?: Result; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data;
}

// Fields backed by an upstream are nullable: null means that system failed, and the answer says why.
const departments = (await run(DepartmentsDocument, {})).departments ?? [];
console.log(`${departments.length} départements: ${departments.map((d) => d.acronym).join(', ')}`);

const acronym = departments[0]?.acronym;
if (acronym) {
  let after: string | null = null;
  let withAccount = 0;
  let total = 0;
  do {
    const page: DepartmentRosterQuery = await run(DepartmentRosterDocument, {
      acronym,
      first: 50,
      after,
    });
    const students = page.department?.students;
    if (!students) break;
    for (const { node } of students.edges) {
      total += 1;
      if (node.moodleAccount) withAccount += 1;
    }
    after = students.pageInfo.hasNextPage ? (students.pageInfo.endCursor ?? null) : null;
  } while (after);
  console.log(`${acronym}: ${total} students, ${withAccount} with a Moodle account`);
}
