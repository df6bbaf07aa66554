import { describe, expect, it } from 'vitest';
import { createContextFactory, type ContextDeps } from '../src/graph/context';

describe('GraphQL context', () => {
  it('builds the loaders only when a resolver asks for one, even after Yoga merges the context', () => {
    const read: string[] = [];
    // Every dependency the loaders would take, recorded as it is read (the clients are never called here).
    const deps = new Proxy({} as ContextDeps, {
      get: (_target, key) => {
        read.push(String(key));
        return key === 'today' ? () => '2026-12-01' : {};
      },
    });
    const contextOf = createContextFactory(deps);
    read.length = 0;
    const context = contextOf({});
    // What Yoga does with the factory's answer (envelop's extendContext): reads every property.
    const merged = Object.assign({}, context);
    // Only what the context carries as it is (the logger, the response cache, the jobs), nothing the loaders take.
    const carried = new Set(['log', 'responseCache', 'jobs']);
    expect(read.filter((key) => !carried.has(key))).toEqual([]);
    expect(typeof merged.loaders.departments).toBe('function');
    expect(read.length).toBeGreaterThan(0);
  });
});
