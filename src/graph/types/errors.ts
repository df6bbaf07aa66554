import { UpstreamError } from '../../upstreams/errors';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PartialFailureError,
  ValidationError,
} from '../../domain/errors';
import { builder } from '../builder';
import { upstreamErrorCode } from '../errors';

const ErrorInterface = builder.interfaceRef<Error & { code: string }>('Error').implement({
  description: 'An expected failure of a mutation: a human message and a stable machine code.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    code: t.string({
      description:
        'Stable machine code: VALIDATION, NOT_FOUND, CONFLICT, FORBIDDEN, UPSTREAM_UNAVAILABLE, UPSTREAM_ERROR, PARTIAL_FAILURE.',
      resolve: (e) => (e instanceof UpstreamError ? upstreamErrorCode(e) : e.code),
    }),
  }),
});

const FieldProblemRef = builder
  .objectRef<{ path: Array<string | number>; message: string }>('FieldProblem')
  .implement({
    description: 'One invalid input field.',
    fields: (t) => ({
      path: t.stringList({
        description: 'Path of the field in the arguments, e.g. ["input", "nips", "3"].',
        resolve: (f) => f.path.map(String),
      }),
      message: t.exposeString('message', { description: 'What is wrong with it.' }),
    }),
  });

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is invalid; nothing was sent to ScoDoc or Moodle.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ValidationError,
  fields: (t) => ({
    fields: t.field({
      type: [FieldProblemRef],
      description: 'Every invalid field.',
      resolve: (e) => e.fields,
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'Something the mutation needs does not exist.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFoundError,
  fields: (t) => ({
    what: t.exposeString('what', {
      description:
        'What is missing: department, student, account, course, semester, role, category.',
    }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description:
    'The change would clash with existing data (a duplicate, or data that must go first).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
  fields: () => ({}),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The gateway refuses this change (protected account, missing permission).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ForbiddenError,
  fields: () => ({}),
});

builder.objectType(PartialFailureError, {
  name: 'PartialFailureError',
  description:
    'A change spanning both systems failed half-way and could not be fully undone: what exists where.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof PartialFailureError,
  fields: (t) => ({
    done: t.exposeStringList('done', {
      description: 'Steps that took effect and are still in effect.',
    }),
    compensated: t.exposeStringList('compensated', {
      description: 'Steps that took effect and were undone.',
    }),
    notDone: t.exposeStringList('notDone', { description: 'Steps that did not happen.' }),
  }),
});

builder.objectType(UpstreamError, {
  name: 'UpstreamError',
  description: 'ScoDoc or Moodle failed or refused; the message says whether anything was undone.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof UpstreamError,
  fields: (t) => ({
    system: t.exposeString('system', { description: 'scodoc or moodle.' }),
  }),
});
