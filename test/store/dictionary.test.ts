import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { dictionary, int32, type StateError, Store, schema, table } from '../../src/index.js';

const clusterish = schema([
  table(
    'nodes',
    { node_id: dictionary('node'), status: dictionary('status', { width: 8 }), cpus: int32() },
    { key: 'node_id' },
  ),
  table(
    'tasks',
    {
      task_id: dictionary('task'),
      assigned: dictionary('node', { nullable: true }),
      note: dictionary('note', { nullable: true }),
    },
    { key: 'task_id' },
  ),
]);

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function create(rowGroupSize = 8) {
  const store = Store.create(clusterish, { rowGroupSize, segmentBytes: 64 * 1024, debug: true });
  open.push(store);
  return store;
}

const STRINGS = [
  '',
  'a',
  'ünïcödé',
  '漢字テスト',
  '🚀 rocket',
  'x'.repeat(10_000),
  'tab\there',
  'nul\u0000inside',
];

describe('dictionary columns', () => {
  it('round-trip any string, including empty, non-ASCII and long ones, and null', () => {
    const store = create();
    store.write((tx) => {
      STRINGS.forEach((s, i) => {
        tx.insert('tasks', { task_id: `t${i}`, assigned: null, note: s });
      });
      tx.insert('tasks', { task_id: 'none', assigned: null, note: null });
    });
    store.read((s) => {
      STRINGS.forEach((str, i) => {
        expect(s.get('tasks', `t${i}`)).toEqual({ task_id: `t${i}`, assigned: null, note: str });
        expect(s.codeOf('note', str)).toBeGreaterThanOrEqual(0);
        expect(s.stringOf('note', s.codeOf('note', str))).toBe(str);
      });
      expect(s.get('tasks', 'none')?.note).toBeNull();
      expect(s.domainSize('note')).toBe(STRINGS.length);
    });
  });

  it('address rows by string key: get, update, delete, duplicate and missing keys', () => {
    const store = create();
    store.write((tx) => {
      for (let i = 0; i < 20; i++) tx.insert('nodes', { node_id: `node-${i}`, status: 'up', cpus: i });
    });
    store.write((tx) => {
      tx.update('nodes', 'node-3', { status: 'draining', cpus: 99 });
      tx.delete('nodes', 'node-0');
    });
    store.read((s) => {
      expect(s.count('nodes')).toBe(19);
      expect(s.get('nodes', 'node-3')).toEqual({ node_id: 'node-3', status: 'draining', cpus: 99 });
      expect(s.get('nodes', 'node-0')).toBeNull();
      expect(s.get('nodes', 'nope')).toBeNull();
      expect(s.get('nodes', 7)).toBeNull();
      const pos = s.locate('nodes', 'node-19');
      expect(s.getAt('nodes', pos).node_id).toBe('node-19');
    });
    const before = store.version;
    expect(() =>
      store.write((tx) => tx.insert('nodes', { node_id: 'node-5', status: 'up', cpus: 1 })),
    ).toThrowError(
      expect.objectContaining({ code: 'DUPLICATE_KEY', message: expect.stringContaining('"node-5"') }),
    );
    expect(() => store.write((tx) => tx.update('nodes', 'node-0', { cpus: 1 }))).toThrowError(
      expect.objectContaining({ code: 'KEY_NOT_FOUND', message: expect.stringContaining('"node-0"') }),
    );
    expect(() => store.write((tx) => tx.insert('nodes', { node_id: 5, status: 'up', cpus: 1 }))).toThrowError(
      expect.objectContaining({ code: 'TYPE_MISMATCH' }),
    );
    expect(store.version).toBe(before);
  });

  it('share one domain between columns, so equal strings have equal codes across tables', () => {
    const store = create();
    store.write((tx) => {
      tx.insert('nodes', { node_id: 'n1', status: 'up', cpus: 4 });
      tx.insert('nodes', { node_id: 'n2', status: 'up', cpus: 8 });
      tx.insert('tasks', { task_id: 'job', assigned: 'n2', note: null });
      tx.insert('tasks', { task_id: 'new', assigned: 'n3', note: null });
    });
    store.read((s) => {
      const nodeCodes = s.chunks('nodes', 'node_id')[0]!.values as Int32Array;
      const assigned = s.chunks('tasks', 'assigned')[0]!.values as Int32Array;
      expect(assigned[0]).toBe(nodeCodes[1]);
      expect(s.codeOf('node', 'n2')).toBe(nodeCodes[1]);
      // A string first seen in another column of the domain joins it too.
      expect(s.domainSize('node')).toBe(3);
      expect(s.stringOf('node', assigned[1]!)).toBe('n3');
    });
  });

  it('refuse a string whose code does not fit the column width, leaving the store unchanged', () => {
    const store = create(64);
    store.write((tx) => {
      for (let i = 0; i < 128; i++) tx.insert('nodes', { node_id: `n${i}`, status: `s${i}`, cpus: 0 });
    });
    const version = store.version;
    let error: StateError | undefined;
    try {
      store.write((tx) => tx.insert('nodes', { node_id: 'n128', status: 's128', cpus: 0 }));
    } catch (err) {
      error = err as StateError;
    }
    expect(error?.code).toBe('OUT_OF_RANGE');
    expect(error?.message).toContain('nodes.status');
    expect(error?.message).toContain('8-bit');
    expect(store.version).toBe(version);
    store.read((s) => {
      expect(s.domainSize('status')).toBe(128);
      expect(s.codeOf('status', 's128')).toBe(-1);
      expect(s.get('nodes', 'n128')).toBeNull();
    });
  });

  it('show a snapshot only the strings of its version, and forget those of a failed write', () => {
    const store = create();
    store.write((tx) => tx.insert('nodes', { node_id: 'old', status: 'up', cpus: 1 }));
    const early = store.snapshot();
    store.write((tx) => tx.insert('nodes', { node_id: 'late', status: 'up', cpus: 1 }));
    expect(() =>
      store.write((tx) => {
        tx.insert('nodes', { node_id: 'ghost', status: 'up', cpus: 1 });
        throw new Error('changed my mind');
      }),
    ).toThrowError('changed my mind');
    expect(early.codeOf('node', 'late')).toBe(-1);
    expect(early.get('nodes', 'late')).toBeNull();
    expect(early.domainSize('node')).toBe(1);
    store.read((s) => {
      expect(s.get('nodes', 'late')?.node_id).toBe('late');
      expect(s.codeOf('node', 'ghost')).toBe(-1);
    });
    // The failed write's code is free again: the next new string takes it.
    store.write((tx) => tx.insert('nodes', { node_id: 'next', status: 'up', cpus: 1 }));
    store.read((s) => expect(s.codeOf('node', 'next')).toBe(2));
    early.release();
  });

  it('return the stored key, not the one looked up, when a lone surrogate was stored as U+FFFD', () => {
    const store = create();
    store.write((tx) => {
      tx.insert('nodes', { node_id: 'n\uD800', status: 'up', cpus: 1 });
      tx.insert('nodes', { node_id: 'plain', status: 'up', cpus: 2 });
    });
    store.read((s) => {
      expect(s.get('nodes', 'n\uD800')).toEqual({ node_id: 'n\uFFFD', status: 'up', cpus: 1 });
      expect(s.get('nodes', 'n\uFFFD')?.node_id).toBe('n\uFFFD');
      expect(s.get('nodes', 'plain', ['node_id', 'cpus'])).toEqual({ node_id: 'plain', cpus: 2 });
    });
  });

  it('forget every string of a failed write that grew the hash index, and reuse its codes', () => {
    const store = create(64);
    store.write((tx) => {
      for (let i = 0; i < 20; i++) tx.insert('nodes', { node_id: `kept-${i}`, status: 'up', cpus: i });
    });
    const before = store.snapshot();
    // 2,000 new ids grow the index several times inside the transaction, which then fails.
    expect(() =>
      store.write((tx) => {
        for (let i = 0; i < 2000; i++) tx.insert('nodes', { node_id: `lost-${i}`, status: 'up', cpus: i });
        throw new Error('abort');
      }),
    ).toThrowError('abort');
    store.write((tx) => {
      for (let i = 0; i < 30; i++) tx.insert('nodes', { node_id: `next-${i}`, status: 'down', cpus: i });
    });
    store.read((s) => {
      expect(s.domainSize('node')).toBe(50);
      for (let i = 0; i < 2000; i += 97) expect(s.codeOf('node', `lost-${i}`)).toBe(-1);
      for (let i = 0; i < 20; i++) expect(s.get('nodes', `kept-${i}`)?.cpus).toBe(i);
      // The failed write's codes went to the next strings.
      for (let i = 0; i < 30; i++) expect(s.codeOf('node', `next-${i}`)).toBe(20 + i);
    });
    expect(before.get('nodes', 'kept-3')?.cpus).toBe(3);
    expect(before.codeOf('node', 'next-0')).toBe(-1);
    before.release();
  });

  it('keep finding every string while the hash index grows', () => {
    const store = create(64);
    for (let b = 0; b < 20; b++) {
      store.write((tx) => {
        for (let i = 0; i < 250; i++) tx.insert('nodes', { node_id: `id-${b}-${i}`, status: 'up', cpus: i });
      });
    }
    store.read((s) => {
      for (let b = 0; b < 20; b++) {
        for (let i = 0; i < 250; i++) {
          const code = s.codeOf('node', `id-${b}-${i}`);
          expect(code).toBe(b * 250 + i);
        }
      }
    });
  });

  it('give Arrow views whose batches share one dictionary per domain and survive an IPC file', () => {
    const store = create();
    store.write((tx) => {
      for (let i = 0; i < 30; i++) {
        tx.insert('tasks', {
          task_id: `task-${i}`,
          assigned: i % 3 === 0 ? null : `n${i % 4}`,
          note: STRINGS[i % STRINGS.length]!,
        });
      }
    });
    const snap = store.snapshot();
    const view = snap.table('tasks');
    expect(view.batches.length).toBe(4);
    const dicts = new Set(view.batches.map((b) => b.getChild('assigned')!.data[0]!.dictionary));
    expect(dicts.size).toBe(1);
    for (let i = 0; i < 30; i++) {
      const row = snap.getAt('tasks', i);
      expect(view.getChild('task_id')!.get(i)).toBe(row.task_id);
      expect(view.getChild('assigned')!.get(i)).toBe(row.assigned);
      expect(view.getChild('note')!.get(i)).toBe(row.note);
    }
    const back = tableFromIPC(tableToIPC(view, 'file'));
    expect(back.numRows).toBe(30);
    for (let i = 0; i < 30; i++) {
      expect(back.getChild('assigned')!.get(i)).toBe(view.getChild('assigned')!.get(i));
      expect(back.getChild('note')!.get(i)).toBe(view.getChild('note')!.get(i));
    }
    snap.release();
  });

  it('rebuild a cached view when its dictionary grew', () => {
    const store = create();
    store.write((tx) => tx.insert('tasks', { task_id: 'a', assigned: 'n1', note: null }));
    const first = store.read((s) => s.table('tasks'));
    store.write((tx) => tx.insert('nodes', { node_id: 'n2', status: 'up', cpus: 1 }));
    store.read((s) => {
      const second = s.table('tasks');
      expect(second.getChild('assigned')!.data[0]!.dictionary!.length).toBe(2);
      expect(first.getChild('assigned')!.data[0]!.dictionary!.length).toBe(1);
      // IPC needs one dictionary object per domain across tables too.
      expect(tableToIPC(second, 'file').byteLength).toBeGreaterThan(0);
    });
  });

  it('name the domain in the error for an unknown one', () => {
    const store = create();
    expect(() => store.read((s) => s.codeOf('nope', 'x'))).toThrowError(
      expect.objectContaining({
        code: 'UNKNOWN_DOMAIN',
        message: expect.stringContaining('node, status, task, note'),
      }),
    );
  });
});
