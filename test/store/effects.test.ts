import { describe, expect, it } from 'vitest';
import {
  type Batch,
  batch,
  dictionary,
  float64,
  int8,
  int32,
  int64,
  list,
  type Snapshot,
  type StateError,
  Store,
  schema,
  table,
} from '../../src/index.js';

const cluster = schema([
  table(
    'nodes',
    {
      id: dictionary('node'),
      tasks: int32(),
      load: float64(),
      bytes: int64(),
      small: int8(),
      caps: list(dictionary('cap')),
    },
    { key: 'id' },
  ),
  table(
    'tasks',
    {
      id: dictionary('task'),
      status: dictionary('status', { width: 8 }),
      node: dictionary('node', { nullable: true }),
    },
    { key: 'id' },
  ),
]);

function create() {
  const store = Store.create(cluster, { rowGroupSize: 8 });
  store.write((tx) => {
    for (let i = 0; i < 3; i++)
      tx.insert('nodes', { id: `n${i}`, tasks: 0, load: 0.5, bytes: 10n, small: 120, caps: ['cpu'] });
    for (let i = 0; i < 5; i++) tx.insert('tasks', { id: `t${i}`, status: 'pending', node: null });
  });
  return store;
}

/** Every row of every table, in position order, and each domain's strings: a store's content. */
function dump(s: Snapshot) {
  const out: Record<string, unknown> = { version: s.version };
  for (const t of ['nodes', 'tasks']) out[t] = Array.from({ length: s.count(t) }, (_, i) => s.getAt(t, i));
  for (const d of ['node', 'cap', 'task', 'status']) {
    out[d] = Array.from({ length: s.domainSize(d) }, (_, c) => s.stringOf(d, c));
  }
  return out;
}

function failure(fn: () => unknown): StateError {
  try {
    fn();
  } catch (err) {
    return err as StateError;
  }
  throw new Error('expected a StateError');
}

describe('effects', () => {
  it('increment and decrement numbers of every width, refusing overflow and null', () => {
    const store = create();
    store.write((tx) => {
      tx.increment('nodes', 'n1', 'tasks', 2);
      tx.increment('nodes', 'n1', 'tasks', -1);
      tx.increment('nodes', 'n1', 'load', 0.25);
      tx.increment('nodes', 'n1', 'bytes', 5n);
      tx.increment('nodes', 'n1', 'small', 7);
    });
    expect(store.read((s) => s.get('nodes', 'n1', ['tasks', 'load', 'bytes', 'small']))).toEqual({
      tasks: 1,
      load: 0.75,
      bytes: 15n,
      small: 127,
    });
    const before = store.read(dump);
    expect(failure(() => store.write((tx) => tx.increment('nodes', 'n1', 'small', 1))).code).toBe(
      'OUT_OF_RANGE',
    );
    expect(failure(() => store.write((tx) => tx.increment('nodes', 'n1', 'caps', 1))).code).toBe(
      'TYPE_MISMATCH',
    );
    expect(failure(() => store.write((tx) => tx.increment('nodes', 'zz', 'tasks', 1))).code).toBe(
      'KEY_NOT_FOUND',
    );
    expect(store.read(dump)).toEqual(before);
    store.close();
  });

  it('upsert inserts a new key and updates an existing one', () => {
    const store = create();
    store.write((tx) => {
      tx.upsert('nodes', { id: 'n1', tasks: 9 });
      tx.upsert('nodes', { id: 'n9', tasks: 1, load: 0, bytes: 0, small: 0, caps: [] });
    });
    store.read((s) => {
      expect(s.get('nodes', 'n1', ['tasks', 'load'])).toEqual({ tasks: 9, load: 0.5 });
      expect(s.get('nodes', 'n9', ['tasks'])).toEqual({ tasks: 1 });
    });
    store.close();
  });

  it('add a list element once and remove every copy of it', () => {
    const store = create();
    store.write((tx) => {
      tx.listAdd('nodes', 'n0', 'caps', 'gpu');
      tx.listAdd('nodes', 'n0', 'caps', 'gpu');
      tx.listRemove('nodes', 'n0', 'caps', 'cpu');
    });
    expect(store.read((s) => s.get('nodes', 'n0')?.caps)).toEqual(['gpu']);
    store.close();
  });

  it('check preconditions against the newest state, naming what failed and changing nothing', () => {
    const store = create();
    const before = store.read(dump);
    const err = failure(() =>
      store.apply(
        batch()
          .update('tasks', 't1', { status: 'assigned' })
          .require('tasks', 't2', { column: 'status', in: ['assigned', 'running'] })
          .build(),
      ),
    );
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.message).toContain('tasks row with key "t2"');
    expect(err.message).toContain('"pending"');
    expect(failure(() => store.apply(batch().require('tasks', 'nope', { exists: true }).build())).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect(failure(() => store.apply(batch().require('tasks', 't0', { exists: false }).build())).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect(store.read(dump)).toEqual(before);
    const v = store.apply(batch().require('nodes', 'n0', { column: 'bytes', equals: 10 }).build());
    expect(v).toBe(before.version);
    store.close();
  });

  it('let exactly one of two producers racing for the same task win', () => {
    const store = create();
    // Both producers decide from the same state: the task is pending.
    const assign = (node: string) =>
      batch()
        .require('tasks', 't3', { column: 'status', equals: 'pending' })
        .require('nodes', node, { exists: true })
        .update('tasks', 't3', { status: 'assigned', node })
        .increment('nodes', node, 'tasks', 1)
        .build();
    const a = assign('n0');
    const b = assign('n1');
    const results = [a, b].map((x) => {
      try {
        store.apply(x);
        return 'won';
      } catch (err) {
        return (err as StateError).code;
      }
    });
    expect(results).toEqual(['won', 'PRECONDITION_FAILED']);
    store.read((s) => {
      expect(s.get('tasks', 't3')).toEqual({ id: 't3', status: 'assigned', node: 'n0' });
      expect(s.get('nodes', 'n0', ['tasks'])).toEqual({ tasks: 1 });
      expect(s.get('nodes', 'n1', ['tasks'])).toEqual({ tasks: 0 });
    });
    store.close();
  });

  it('record what a transaction did, so that an identical store replays it identically', () => {
    const a = create();
    const b = create();
    const batches: Batch[] = [];
    for (let round = 0; round < 30; round++) {
      a.write((tx) => {
        // Any logic: reads of the transaction's own writes decide what happens.
        const n = tx.count('tasks');
        tx.insert('tasks', {
          id: `x${round}`,
          status: round % 2 ? 'pending' : 'running',
          node: `n${round % 3}`,
        });
        if (n > 6) tx.deleteAt('tasks', round % n);
        const node = `n${round % 3}`;
        if ((tx.get('nodes', node, ['tasks'])!.tasks as number) < 5) tx.increment('nodes', node, 'tasks', 1);
        tx.listAdd('nodes', node, 'caps', `c${round % 4}`);
        tx.upsert('nodes', { id: `m${round % 5}`, tasks: round, load: 0, bytes: 1, small: 1, caps: [] });
        tx.upsert('tasks', { id: 't0', status: `s${round % 3}`, node: null });
        tx.require('tasks', 't0', { exists: true });
        batches.push(tx.batch);
      });
    }
    for (const x of batches) b.apply(x);
    expect(b.read(dump)).toEqual(a.read(dump));
    a.close();
    b.close();
  });

  it('refuse a batch that is not one, naming the bad effect', () => {
    const store = create();
    expect(failure(() => store.apply({ effects: [{ op: 'explode' }] } as unknown as Batch)).code).toBe(
      'INVALID_BATCH',
    );
    expect(failure(() => store.apply(null as unknown as Batch)).code).toBe('INVALID_BATCH');
    store.close();
  });
});

describe('a malformed condition', () => {
  it('is refused as INVALID_BATCH, not a TypeError', () => {
    const store = create();
    for (const condition of [
      null,
      5,
      { column: 'status' },
      { column: 'status', in: 'pending' },
      { exists: 'yes' },
    ]) {
      expect(
        failure(() =>
          store.apply(
            batch()
              .require('tasks', 't1', condition as never)
              .build(),
          ),
        ).code,
      ).toBe('INVALID_BATCH');
    }
    store.close();
  });
});

describe('a malformed effect', () => {
  it('is refused as INVALID_BATCH, naming the effect, and changes nothing', () => {
    const store = create();
    const before = store.read(dump);
    for (const effect of [
      { op: 'insert', table: 'tasks', row: null },
      { op: 'update', table: 'tasks', key: 't1', values: 5 },
      { op: 'delete', table: 'tasks', key: { id: 't1' } },
      { op: 'deleteAt', table: 'tasks', row: '0' },
      { op: 'update', values: {} },
    ]) {
      const err = failure(() =>
        store.apply({ effects: [{ op: 'delete', table: 'tasks', key: 't0' }, effect] } as never),
      );
      expect(err.code).toBe('INVALID_BATCH');
      expect(err.message).toContain('effect 1');
    }
    expect(store.read(dump)).toEqual(before);
    store.close();
  });
});
