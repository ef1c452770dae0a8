/**
 * utf8 and list<dictionary> columns: values of any length round-trip through insert, get, getAt,
 * chunks() and the Arrow view (and an IPC file); updates that grow or shrink a value leave the
 * other rows of its row group intact; a delete moves the last row's text and list intact; an old
 * snapshot keeps its values after later writes and reclamation (debug poisoning makes a freed
 * block read as garbage); and a long run of single-row updates keeps the arena bounded.
 */
import { type Table, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dictionary,
  int32,
  list,
  type Row,
  type RowInput,
  type Snapshot,
  Store,
  type StoreOptions,
  schema,
  table,
  utf8,
  type Value,
} from '../../src/index.js';

const T = 'docs';
const SCHEMA = schema([
  table(
    T,
    {
      id: int32(),
      text: utf8(),
      note: utf8({ nullable: true }),
      tags: list(dictionary('tag')),
      maybe: list(dictionary('label'), { nullable: true }),
      n: int32(),
    },
    { key: 'id' },
  ),
]);
const COLUMNS = ['id', 'text', 'note', 'tags', 'maybe', 'n'] as const;
const VAR_COLUMNS = ['text', 'note', 'tags', 'maybe'] as const;
const GROUP = 8;

/** About 100 KB of mixed-width text (1-, 2-, 3- and 4-byte UTF-8 sequences). */
const HUGE = 'abc·漢字🚀e\u0301'.repeat(6_000);
const TEXTS: readonly string[] = [
  '',
  'a',
  'plain ascii text',
  'ünïcödé',
  '漢字テスト',
  '🚀🛰️👩‍👩‍👧‍👦',
  'e\u0301 a\u0308 n\u0303 (combining marks)',
  'tab\there\nnewline',
  'nul\u0000inside',
  '\u{10FFFF}\uFFFD',
  'x'.repeat(65),
  'ü'.repeat(40),
];
const LISTS: readonly string[][] = [
  [],
  ['a'],
  ['', ''],
  ['漢字', '🚀', 'e\u0301'],
  ['same', 'same', 'same'],
  Array.from({ length: 1_000 }, (_, i) => `item-${i % 97}-${'é'.repeat(i % 5)}`),
];

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function create(options: StoreOptions = {}): Store {
  const store = Store.create(SCHEMA, { rowGroupSize: GROUP, segmentBytes: 65_536, debug: true, ...options });
  open.push(store);
  return store;
}

/** Row `i` of a varied table: each variable-length column cycles through its samples. */
function rowOf(i: number): Row {
  return {
    id: i,
    text: TEXTS[i % TEXTS.length]!,
    note: i % 3 === 0 ? null : TEXTS[(i * 5 + 1) % TEXTS.length]!,
    tags: LISTS[i % LISTS.length]!,
    maybe: i % 4 === 1 ? null : LISTS[(i * 7 + 2) % LISTS.length]!,
    n: i * 11,
  };
}

function insertAll(store: Store, rows: readonly Row[]): void {
  store.write((tx) => {
    for (const r of rows) tx.insert(T, r);
  });
}

// --- comparison -------------------------------------------------------------------------------

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }
  return Object.is(a, b);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}… (${v.length})` : v);
  if (Array.isArray(v)) return v.length > 8 ? `[${v.length} items]` : JSON.stringify(v);
  return String(v);
}

/** Describes the first difference between a row and the expected one, or null. */
function rowDiff(actual: Row | null, expected: Row): string | null {
  if (actual === null) return `row ${expected.id} is missing`;
  const names = Object.keys(actual).sort().join();
  if (names !== [...COLUMNS].sort().join()) return `row ${expected.id} has columns ${names}`;
  for (const c of COLUMNS) {
    if (!sameValue(actual[c], expected[c])) {
      return `row ${expected.id}: ${c} is ${show(actual[c])}, expected ${show(expected[c])}`;
    }
  }
  return null;
}

/** A value read through Arrow, as rows carry it: list values become plain arrays of strings. */
function arrowValue(vector: Vector, i: number): Value {
  const v = vector.get(i) as unknown;
  if (v === null || typeof v === 'string' || typeof v === 'number') return v as Value;
  return [...(v as Iterable<string>)];
}

/** Every value of an Arrow table against `rows`, in order. */
function expectTableEquals(tbl: Table, rows: readonly Row[], label: string): void {
  expect(tbl.numRows, `${label}: numRows`).toBe(rows.length);
  for (const name of COLUMNS) {
    const vector = tbl.getChild(name);
    expect(vector, `${label}: ${name}`).not.toBeNull();
    expect(vector!.nullCount, `${label}: ${name} null count`).toBe(
      rows.filter((r) => r[name] === null).length,
    );
    for (let i = 0; i < rows.length; i++) {
      const got = arrowValue(vector!, i);
      if (!sameValue(got, rows[i]![name])) {
        expect.fail(`${label}: Arrow ${name}[${i}] is ${show(got)}, expected ${show(rows[i]![name])}`);
      }
    }
  }
}

/** The rows of the variable-length columns decoded from `chunks()`, checking the offsets' shape. */
function expectChunksEqual(snap: Snapshot, rows: readonly Row[], label: string): void {
  const decoder = new TextDecoder();
  for (const name of VAR_COLUMNS) {
    const chunks = snap.chunks(T, name);
    expect(chunks.length, `${label}: ${name} chunk count`).toBe(Math.ceil(rows.length / GROUP));
    let r = 0;
    for (const [g, chunk] of chunks.entries()) {
      const where = `${label}: ${name} chunk ${g}`;
      expect(chunk.length, where).toBe(Math.min(GROUP, rows.length - g * GROUP));
      const offsets = chunk.offsets!;
      expect(offsets, where).toBeInstanceOf(Int32Array);
      expect(offsets.length, where).toBe(chunk.length + 1);
      expect(offsets[0], where).toBe(0);
      expect(offsets[chunk.length], `${where}: last offset is the item count`).toBe(chunk.values.length);
      expect(chunk.values, where).toBeInstanceOf(
        name === 'text' || name === 'note' ? Uint8Array : Int32Array,
      );
      expect(chunk.validity === null, where).toBe(name === 'text' || name === 'tags');
      for (let i = 0; i < chunk.length; i++, r++) {
        const start = offsets[i]!;
        const end = offsets[i + 1]!;
        if (end < start) expect.fail(`${where}: offsets decrease at row ${i}`);
        const valid = chunk.validity === null || (chunk.validity[i >> 3]! & (1 << (i & 7))) !== 0;
        let value: Value;
        if (!valid) {
          if (end !== start) expect.fail(`${where}: null row ${i} has ${end - start} items`);
          value = null;
        } else if (name === 'text' || name === 'note') {
          value = decoder.decode(chunk.values.subarray(start, end) as Uint8Array);
        } else {
          const domain = name === 'tags' ? 'tag' : 'label';
          value = [...(chunk.values.subarray(start, end) as Int32Array)].map((c) => snap.stringOf(domain, c));
        }
        if (!sameValue(value, rows[r]![name])) {
          expect.fail(`${where} row ${i}: chunks give ${show(value)}, expected ${show(rows[r]![name])}`);
        }
      }
    }
  }
}

/** A snapshot shows exactly `rows`: by position, by key, through chunks() and through Arrow. */
function expectSnapshotEquals(snap: Snapshot, rows: readonly Row[], label: string): void {
  expect(snap.count(T), `${label}: count`).toBe(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const expected = rows[i]!;
    const at = rowDiff(snap.getAt(T, i), expected);
    if (at !== null) expect.fail(`${label}: getAt(${i}): ${at}`);
    const byKey = rowDiff(snap.get(T, expected.id as number), expected);
    if (byKey !== null) expect.fail(`${label}: get(${expected.id}): ${byKey}`);
    if (snap.locate(T, expected.id as number) !== i)
      expect.fail(`${label}: locate(${expected.id}) is not ${i}`);
  }
  expectChunksEqual(snap, rows, label);
  expectTableEquals(snap.table(T), rows, label);
}

function expectStoreEquals(store: Store, rows: readonly Row[], label: string): void {
  store.read((s) => expectSnapshotEquals(s, rows, label));
}

/** The model of a delete: the last row moves into the hole. */
function deleteAt(rows: Row[], pos: number): void {
  const last = rows.pop()!;
  if (pos < rows.length) rows[pos] = last;
}

// --- tests ------------------------------------------------------------------------------------

describe('utf8 and list columns', () => {
  it('round-trip empty, non-ASCII, 100 KB and null text, and empty, long and null lists', () => {
    const store = create();
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => rowOf(i));
    rows.push({ id: 100, text: HUGE, note: HUGE, tags: [], maybe: [], n: -1 });
    rows.push({ id: 101, text: '', note: '', tags: LISTS[5]!, maybe: null, n: 0 });
    rows.push({ id: 102, text: '', note: null, tags: [], maybe: null, n: 0 });
    insertAll(store, rows);
    expect(new TextEncoder().encode(HUGE).length).toBeGreaterThan(100_000);
    expectStoreEquals(store, rows, 'inserted');
    store.read((s) => {
      const huge = s.get(T, 100)!;
      expect(huge.text).toBe(HUGE);
      expect(huge.note).toBe(HUGE);
      expect(s.get(T, 101)!.tags).toHaveLength(1_000);
      // Only the columns asked for.
      expect(s.get(T, 3, ['tags', 'note'])).toEqual({ tags: rowOf(3).tags, note: rowOf(3).note });
      // A list's strings join the domain once each.
      expect(s.domainSize('tag')).toBe(new Set(rows.flatMap((r) => r.tags as string[])).size);
      expect(s.domainSize('label')).toBe(new Set(rows.flatMap((r) => (r.maybe ?? []) as string[])).size);
    });
    // A transaction reads its own variable-length writes.
    store.write((tx) => {
      tx.insert(T, { id: 200, text: '🚀 new', note: null, tags: ['fresh', 'a'], maybe: null, n: 1 });
      expect(tx.get(T, 200)).toEqual({
        id: 200,
        text: '🚀 new',
        note: null,
        tags: ['fresh', 'a'],
        maybe: null,
        n: 1,
      });
      expect(tx.getAt(T, 0)).toEqual(rows[0]);
    });
  });

  it('accept an empty table and a table of only empty values', () => {
    const store = create();
    expectStoreEquals(store, [], 'empty');
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({
      id: i,
      text: '',
      note: i % 2 === 0 ? null : '',
      tags: [],
      maybe: i % 2 === 0 ? null : [],
      n: i,
    }));
    insertAll(store, rows);
    expectStoreEquals(store, rows, 'all empty');
  });

  it('keep the neighbours of a value intact when it grows and shrinks, in one or many commits', () => {
    const store = create();
    const rows: Row[] = Array.from({ length: 20 }, (_, i) => rowOf(i));
    insertAll(store, rows);
    const steps: { pos: number; values: RowInput }[] = [
      { pos: 3, values: { text: 'x'.repeat(500), tags: LISTS[5]! } },
      { pos: 3, values: { text: '', tags: [] } },
      { pos: 0, values: { text: HUGE, note: '漢字'.repeat(300), maybe: ['a', 'b'] } },
      { pos: 7, values: { text: 'last of its group 🚀', note: null, maybe: null } },
      { pos: 8, values: { text: 'first of the next group', tags: ['only'] } },
      { pos: 0, values: { text: 'short again', note: '' } },
      { pos: 19, values: { text: 'e\u0301'.repeat(1_000), maybe: LISTS[5]!.slice(0, 10) } },
      { pos: 5, values: { note: 'ü', maybe: [] } },
      { pos: 5, values: { note: null, maybe: ['back', 'again'] } },
    ];
    // One commit per update.
    for (const [k, { pos, values }] of steps.entries()) {
      store.write((tx) => tx.updateAt(T, pos, values));
      rows[pos] = { ...rows[pos]!, ...values } as Row;
      expectStoreEquals(store, rows, `after update ${k}`);
    }
    // All of them again, with different values, in one commit (later ones rewrite blocks it made).
    store.write((tx) => {
      for (const { pos, values } of steps) {
        const changed: RowInput = {};
        for (const [name, v] of Object.entries(values)) {
          changed[name] = typeof v === 'string' ? `${v}${pos}` : Array.isArray(v) ? [...v, `${pos}`] : v;
        }
        tx.update(T, rows[pos]!.id as number, changed);
        rows[pos] = { ...rows[pos]!, ...changed } as Row;
        expect(rowDiff(tx.getAt(T, pos), rows[pos]!)).toBeNull();
      }
      // An append after the rewrites lands after the moved values.
      const extra = { id: 500, text: 'appended', note: 'after', tags: ['x'], maybe: [], n: 5 };
      tx.insert(T, extra);
      rows.push(extra);
    });
    expectStoreEquals(store, rows, 'after one big commit');
  });

  it('move the last row’s text and list intact into the hole of a delete', () => {
    const store = create();
    const rows: Row[] = Array.from({ length: 27 }, (_, i) => rowOf(i));
    rows[26] = { ...rows[26]!, text: HUGE, tags: LISTS[5]!, note: '最後', maybe: ['z', 'ź'] };
    insertAll(store, rows);
    // The last row comes from another row group.
    store.write((tx) => tx.delete(T, 2));
    deleteAt(rows, 2);
    expectStoreEquals(store, rows, 'delete into an earlier group');
    // The last row comes from the same row group (positions 24 and 25).
    store.write((tx) => tx.deleteAt(T, 24));
    deleteAt(rows, 24);
    expectStoreEquals(store, rows, 'delete within the last group');
    // Delete the last row itself, emptying its row group.
    store.write((tx) => tx.deleteAt(T, rows.length - 1));
    deleteAt(rows, rows.length - 1);
    expectStoreEquals(store, rows, 'delete the last row');
    // Several deletes and an update of the moved row in one commit.
    store.write((tx) => {
      for (const pos of [0, 5, 5, 9]) {
        tx.deleteAt(T, pos);
        deleteAt(rows, pos);
      }
      tx.updateAt(T, 5, { text: 'moved, then changed', tags: ['c'] });
      rows[5] = { ...rows[5]!, text: 'moved, then changed', tags: ['c'] };
      tx.insert(T, rowOf(1_000));
      rows.push(rowOf(1_000));
    });
    expectStoreEquals(store, rows, 'deletes in one commit');
    // Down to nothing, then back.
    store.write((tx) => {
      while (tx.count(T) > 0) tx.deleteAt(T, 0);
    });
    expectStoreEquals(store, [], 'all deleted');
    const again = Array.from({ length: 10 }, (_, i) => rowOf(i + 40));
    insertAll(store, again);
    expectStoreEquals(store, again, 'reinserted');
  });

  it('keep an old snapshot’s text and lists through later updates, deletes and reclaim()', () => {
    const store = create({ reclaimInterval: 1 });
    const rows: Row[] = Array.from({ length: 40 }, (_, i) => rowOf(i));
    insertAll(store, rows);
    const held: { snap: Snapshot; rows: Row[] }[] = [{ snap: store.snapshot(), rows: [...rows] }];
    const views = [held[0]!.snap.table(T)];
    for (let round = 0; round < 30; round++) {
      store.write((tx) => {
        const pos = (round * 7) % rows.length;
        const values: RowInput = {
          text: round % 2 === 0 ? `${TEXTS[round % TEXTS.length]}${'🚀'.repeat(round * 3)}` : '',
          note: round % 3 === 0 ? null : 'ü'.repeat(round),
          tags: LISTS[round % LISTS.length]!,
          maybe: round % 5 === 0 ? null : [`r${round}`],
        };
        tx.updateAt(T, pos, values);
        rows[pos] = { ...rows[pos]!, ...values } as Row;
        if (round % 4 === 3) {
          const victim = (round * 13) % rows.length;
          tx.deleteAt(T, victim);
          deleteAt(rows, victim);
        }
        if (round % 6 === 5) {
          const r = rowOf(2_000 + round);
          tx.insert(T, r);
          rows.push(r);
        }
      });
      if (round % 10 === 4) {
        held.push({ snap: store.snapshot(), rows: [...rows] });
        views.push(held.at(-1)!.snap.table(T));
      }
      store.reclaim();
    }
    // Release the middle one: what only it could see is freed (and poisoned).
    const [middle] = held.splice(1, 1);
    views.splice(1, 1);
    middle!.snap.release();
    expect(store.reclaim()).toBeGreaterThan(0);
    // Drop every current row, so that their blocks are retired and freed too.
    store.write((tx) => {
      while (tx.count(T) > 0) tx.deleteAt(T, tx.count(T) - 1);
    });
    store.reclaim();
    for (let k = 0; k < 5; k++) insertAll(store, [rowOf(3_000 + k)]);
    store.reclaim();
    for (const [k, h] of held.entries()) {
      expectSnapshotEquals(h.snap, h.rows, `held ${k} (v${h.snap.version})`);
      // The Arrow view taken before the writes still reads the same values.
      expectTableEquals(views[k]!, h.rows, `early view ${k}`);
      h.snap.release();
    }
    store.reclaim();
    expect(store.stats().retiredBytes).toBe(0);
  });

  it('survive an Arrow IPC file round trip with several row groups', () => {
    const store = create();
    const rows: Row[] = Array.from({ length: 45 }, (_, i) => rowOf(i));
    rows[10] = { ...rows[10]!, text: HUGE };
    insertAll(store, rows);
    store.read((s) => {
      const view = s.table(T);
      expect(view.batches.length).toBe(Math.ceil(rows.length / GROUP));
      expect(view.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
        ['id', 'Int32', false],
        ['text', 'Utf8', false],
        ['note', 'Utf8', true],
        ['tags', 'List<Dictionary<Int32, Utf8>>', false],
        ['maybe', 'List<Dictionary<Int32, Utf8>>', true],
        ['n', 'Int32', false],
      ]);
      expectTableEquals(view, rows, 'view');
      for (const format of ['file', 'stream'] as const) {
        const back = tableFromIPC(tableToIPC(view, format));
        expectTableEquals(back, rows, `IPC ${format}`);
      }
    });
  });

  it('keep the arena bounded over 5,000 single-row updates of growing and shrinking values', () => {
    const store = create({ segmentBytes: 256 * 1024 });
    const rows: Row[] = Array.from({ length: 64 }, (_, i) => rowOf(i));
    insertAll(store, rows);
    const ROUNDS = 5_000;
    const peaks = [0, 0];
    for (let round = 0; round < ROUNDS; round++) {
      const pos = (round * 37) % rows.length;
      // The length of the text and list rises and falls in a 100-round cycle.
      const size = Math.abs((round % 100) - 50);
      const values: RowInput =
        round % 2 === 0
          ? { text: '漢'.repeat(size * 40), note: round % 3 === 0 ? null : 'ü'.repeat(size) }
          : { tags: Array.from({ length: size * 4 }, (_, k) => `t${k % 50}`), maybe: round % 5 ? [] : null };
      store.write((tx) => tx.updateAt(T, pos, values));
      rows[pos] = { ...rows[pos]!, ...values } as Row;
      const half = round < ROUNDS / 2 ? 0 : 1;
      peaks[half] = Math.max(peaks[half]!, store.stats().arenaBytes);
    }
    expect(store.stats().pins).toEqual([]);
    expect(peaks[1], `peaks ${peaks.join(' then ')}`).toBeLessThanOrEqual(peaks[0]!);
    expectStoreEquals(store, rows, 'after the churn');
  });

  it('give back every block of deleted rows: repeated fill-and-empty cycles use the same memory', () => {
    const store = create();
    const rows = Array.from({ length: 41 }, (_, i) => rowOf(i));
    const used: number[] = [];
    for (let cycle = 0; cycle < 6; cycle++) {
      insertAll(store, rows);
      // Grow and shrink some values in place and through new data blocks.
      store.write((tx) => {
        for (let i = 0; i < rows.length; i += 3)
          tx.updateAt(T, i, { text: HUGE.slice(0, i * 100), tags: [] });
      });
      store.write((tx) => {
        for (let i = 0; i < rows.length; i += 5) tx.updateAt(T, i, { note: 'ü'.repeat(i), maybe: ['m'] });
      });
      // Delete from the front, so that every delete moves the last row's values.
      store.write((tx) => {
        while (tx.count(T) > 0) tx.deleteAt(T, 0);
      });
      expect(store.reclaim() + store.stats().retiredBytes).toBeGreaterThan(0);
      expect(store.stats().retiredBytes).toBe(0);
      used.push(store.stats().usedBytes);
    }
    expectStoreEquals(store, [], 'emptied');
    // The first cycle creates the table's directory, locator and dictionaries; later ones reuse them.
    expect(new Set(used.slice(1)).size, `usedBytes per cycle: ${used.join(', ')}`).toBe(1);
  });

  it('store a lone surrogate as U+FFFD, as TextEncoder writes it', () => {
    const store = create();
    insertAll(store, [{ id: 1, text: 'a\uD800b', note: '\uDC00', tags: ['\uD83D'], maybe: null, n: 0 }]);
    store.read((s) => {
      expect(s.get(T, 1)).toMatchObject({ text: 'a\uFFFDb', note: '\uFFFD', tags: ['\uFFFD'] });
      expect(s.codeOf('tag', '\uD83D')).toBe(s.codeOf('tag', '\uFFFD'));
      expect(s.table(T).getChild('text')!.get(0)).toBe('a\uFFFDb');
    });
  });

  // A regression test: compileLayout once gave each dictionary column its own Arrow Dictionary
  // type, so two columns of one domain in one table made Store.create throw (apache-arrow: "Cannot
  // create Schema containing two different dictionaries with the same Id").
  it('accept two columns of one domain in one table, sharing codes, through Arrow IPC too', () => {
    const store = Store.create(
      schema([
        table(
          'nodes',
          {
            id: dictionary('node'),
            peer: dictionary('node', { nullable: true }),
            peers: list(dictionary('node')),
          },
          { key: 'id' },
        ),
      ]),
      { rowGroupSize: GROUP },
    );
    open.push(store);
    store.write((tx) => {
      tx.insert('nodes', { id: 'a', peer: 'b', peers: ['b', 'c'] });
      tx.insert('nodes', { id: 'b', peer: null, peers: [] });
    });
    store.read((s) => {
      expect(s.get('nodes', 'a')).toEqual({ id: 'a', peer: 'b', peers: ['b', 'c'] });
      expect(s.domainSize('node')).toBe(3);
      const ids = s.chunks('nodes', 'id')[0]!.values as Int32Array;
      expect(s.chunks('nodes', 'peer')[0]!.values[0]).toBe(ids[1]);
      expect(s.chunks('nodes', 'peers')[0]!.values[0]).toBe(ids[1]);
      const back = tableFromIPC(tableToIPC(s.table('nodes'), 'file'));
      expect(back.getChild('peer')!.get(0)).toBe('b');
      expect([...(back.getChild('peers')!.get(0) as Vector)]).toEqual(['b', 'c']);
    });
  });

  it('reject a list with a non-string item and a utf8 column given a non-string, changing nothing', () => {
    const store = create();
    insertAll(store, [rowOf(0)]);
    const before = store.version;
    const bad: RowInput[] = [
      { tags: [1] as unknown as string[] },
      { tags: 'a' },
      { text: ['a'] },
      { text: 5 },
      { text: null },
      { tags: null },
    ];
    for (const values of bad) {
      expect(() => store.write((tx) => tx.update(T, 0, values)), JSON.stringify(values)).toThrowError(
        expect.objectContaining({
          code: values.text === null || values.tags === null ? 'NULL_NOT_ALLOWED' : 'TYPE_MISMATCH',
        }),
      );
    }
    expect(store.version).toBe(before);
    expectStoreEquals(store, [rowOf(0)], 'unchanged');
  });
});
