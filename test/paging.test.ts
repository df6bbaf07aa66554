import { describe, expect, it } from 'vitest';
import { ListCache } from '../src/domain/list-cache';
import { decodeCursor, encodeCursor, pageOf, rosterKey } from '../src/graph/paging';

const items = Array.from({ length: 10 }, (_, i) => ({
  id: i,
  key: `k${String(i).padStart(2, '0')}`,
}));
const keyOf = (x: { key: string }) => x.key;

describe('keyset paging', () => {
  it('pages forward with cursors that survive insertions and deletions', () => {
    const p1 = pageOf(items, keyOf, { first: 4 });
    expect(p1.edges.map((e) => e.node.id)).toEqual([0, 1, 2, 3]);
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // k03 (the cursor's own item) disappears and a new item lands before it: the next page is unaffected.
    const changed = [...items.filter((x) => x.id !== 3), { id: 99, key: 'k01b' }].sort((a, b) =>
      a.key.localeCompare(b.key),
    );
    const p2 = pageOf(changed, keyOf, { first: 4, after: p1.pageInfo.endCursor });
    expect(p2.edges.map((e) => e.node.id)).toEqual([4, 5, 6, 7]);
    const p3 = pageOf(items, keyOf, { first: 4, after: p2.pageInfo.endCursor });
    expect(p3.edges.map((e) => e.node.id)).toEqual([8, 9]);
    expect(p3.pageInfo.hasNextPage).toBe(false);
    expect(p3.totalCount).toBe(10);
  });

  it('rejects bad cursors, sizes and backward paging with BAD_USER_INPUT', () => {
    for (const args of [{ after: 'nope' }, { first: 201 }, { first: -1 }, { last: 2 }]) {
      let thrown: unknown;
      try {
        pageOf(items, keyOf, args);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(args)).toHaveProperty('extensions', { code: 'BAD_USER_INPUT' });
    }
    expect(decodeCursor(encodeCursor('é\u0000x'))).toBe('é\u0000x');
  });

  it('orders rosters by folded name, first name, then id', () => {
    const keys = [
      rosterKey('ÉTIENNE', 'Zoé', 5),
      rosterKey('ETIENNE', 'Anna', 9),
      rosterKey('DUPONT', null, 1),
    ].sort();
    expect(keys[0]).toContain('DUPONT');
    expect(keys[1]).toContain('ANNA');
  });
});

describe('list cache', () => {
  it('shares one fetch between concurrent callers, expires after its TTL, forgets failures', async () => {
    let now = 0;
    let calls = 0;
    const cache = new ListCache(1000, 10, () => now);
    const fetch = () => Promise.resolve(++calls);
    expect(await Promise.all([cache.get('a', fetch), cache.get('a', fetch)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get('a', fetch)).toBe(1);
    now = 1001;
    expect(await cache.get('a', fetch)).toBe(2);
    await expect(cache.get('b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('b', fetch)).toBe(3);
    cache.invalidate('a');
    expect(await cache.get('a', fetch)).toBe(4);
  });
});
