/**
 * A dictionary compaction that fails half done (made to throw after it built the new domain) does
 * not fail the write that triggered it: that write stays committed, the compaction publishes
 * nothing, everything it allocated is freed (the arena uses what it used without it), and the
 * strings keep their codes. A full arena fails silently; any other error is a bug, and warns
 * (ACS_COMPACTION_FAILED, naming the domain). The next compaction waits for the domain to grow.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StateError } from '../../src/errors.js';
import { dictionary, int32, Store, schema, table } from '../../src/index.js';
import { Transaction } from '../../src/store/transaction.js';

const s = schema([table('nodes', { id: dictionary('node'), n: int32() }, { key: 'id' })]);

afterEach(() => vi.restoreAllMocks());

/** Makes every compaction do its work and then throw `err`. */
function failCompactions(err: Error): void {
  const compact = Transaction.prototype.compactDomain;
  vi.spyOn(Transaction.prototype, 'compactDomain').mockImplementation(function (
    this: Transaction,
    d,
    minDead,
  ) {
    compact.call(this, d, minDead);
    throw err;
  });
}

/**
 * 32 nodes (their commit checks the domain: nothing dead), then deletes 24 of them: the delete's
 * commit compacts the domain, which fails after building the new blocks. Returns the warnings.
 */
function run(err: Error) {
  const store = Store.create(s, { compactMinStrings: 16, debug: true, reclaimInterval: 1 });
  try {
    failCompactions(err);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    store.write((tx) => {
      for (let i = 0; i < 32; i++) tx.insert('nodes', { id: `n${i}`, n: i });
    });
    expect(Transaction.prototype.compactDomain).toHaveBeenCalledTimes(1);
    store.reclaim();
    const used = store.stats().usedBytes;
    const v = store.write((tx) => {
      for (let i = 0; i < 24; i++) tx.delete('nodes', `n${i}`);
    });
    expect(store.version).toBe(v);
    store.reclaim();
    store.read((snap) => {
      expect(snap.count('nodes')).toBe(8);
      expect(snap.domainSize('node')).toBe(32);
      for (let i = 24; i < 32; i++) {
        expect(snap.get('nodes', `n${i}`)).toEqual({ id: `n${i}`, n: i });
        expect(snap.codeOf('node', `n${i}`)).toBe(i);
      }
    });
    expect(Transaction.prototype.compactDomain).toHaveBeenCalledTimes(2);
    // What the delete replaced is freed, and so is all that the compaction built.
    expect(store.stats().usedBytes).toBeLessThanOrEqual(used);
    // Not retried until the domain grows: the next write that releases a cell finds it checked.
    store.write((tx) => tx.delete('nodes', 'n24'));
    expect(Transaction.prototype.compactDomain).toHaveBeenCalledTimes(2);
    // New strings take the next codes.
    store.write((tx) => tx.insert('nodes', { id: 'new', n: 0 }));
    expect(store.read((snap) => [snap.codeOf('node', 'new'), snap.get('nodes', 'new')])).toEqual([
      32,
      { id: 'new', n: 0 },
    ]);
    return warn.mock.calls;
  } finally {
    store.close();
  }
}

describe('a dictionary compaction that fails', () => {
  it('on a full arena, is dropped silently and leaves the write committed', () => {
    expect(run(new StateError('ARENA_FULL', 'full'))).toEqual([]);
  });

  it.each([
    ['a plain error', Object.assign(new Error('boom'), { code: 'ARENA_FULL' }), 'Error: boom'],
    ['another StateError', new StateError('OUT_OF_RANGE', 'boom'), 'StateError: boom'],
  ])('on %s, warns and leaves the write committed', (_, err, text) => {
    const calls = run(err);
    expect(calls).toEqual(
      Array(2).fill([`compacting dictionary domain node failed: ${text}`, { code: 'ACS_COMPACTION_FAILED' }]),
    );
  });
});
