import { expect } from 'vitest';

/*
 * vitest declares its asymmetric matchers (expect.stringContaining, expect.any, expect.objectContaining) as
 * returning `any`, which the no-unsafe-* lint rules rightly refuse to let flow into objects and arguments.
 * These return them as `unknown`: still accepted wherever toEqual and toMatchObject take a value, no longer
 * `any`.
 */

/** A string containing `sample`. */
export const containing = (sample: string): unknown => expect.stringContaining(sample);

/** Any value made by `constructor` (any array, any string...). */
export const anyOf = (constructor: unknown): unknown => expect.any(constructor);

/** An object with at least these properties (each compared with equality). */
export const objectContaining = (sample: Record<string, unknown>): unknown =>
  expect.objectContaining(sample);

/**
 * Expects a typed mutation result to be of one type, and narrows it to that member of the result union, so
 * that the fields of that type can be read without a cast.
 */
export function expectTypename<R extends { __typename: string }, N extends R['__typename']>(
  result: R,
  typename: N,
): asserts result is Extract<R, { __typename: N }> {
  expect(result.__typename, JSON.stringify(result)).toBe(typename);
}
