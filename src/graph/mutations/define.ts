import type { ObjectRef } from '@pothos/core';
import type { Trail } from '../../provisioning/context';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { audited } from './audit';
import { typesChangedBy, type MutationName } from './changes';

/**
 * The mutation pattern, once: a success type per mutation (the errors plugin puts it in a union with the
 * typed errors, configured on the builder), and `perform`, which runs the write service under an audit
 * line and brands what it returns as that success type.
 */

/** Success values carry a brand, so a result union can tell a `<Mutation>Success` from the typed errors. */
type Branded<T> = T & { readonly __success: string };

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

export function successType<T extends object>(
  name: string,
  options: Omit<PothosSchemaTypes.ObjectTypeOptions<BuilderTypes, Branded<T>>, 'isTypeOf'>,
): ObjectRef<BuilderTypes, Branded<T>> {
  return builder.objectRef<Branded<T>>(name).implement({
    ...options,
    isTypeOf: (value) => (value as { __success?: string } | null)?.__success === name,
  });
}

export async function perform<T extends object>(
  ctx: GraphContext,
  mutation: MutationName,
  input: unknown,
  successRef: ObjectRef<BuilderTypes, Branded<T>>,
  run: (trail: Trail) => Promise<T>,
): Promise<Branded<T>> {
  try {
    return await audited(ctx, mutation, input, async (trail) => ({
      ...(await run(trail)),
      __success: successRef.name,
    }));
  } finally {
    // Before the answer leaves, so the caller's next read sees the write. After failures too: a
    // PartialFailureError, or a timeout after Moodle applied the call, still changed an upstream.
    await ctx.responseCache?.invalidate(typesChangedBy(mutation, input));
  }
}
