import { afterEach, expect, it } from 'vitest';
import {
  dictionary,
  int32,
  int64,
  list,
  type Schema,
  type StateError,
  Store,
  schema,
  table,
} from '../../src/index.js';
import { loadCheckpoint, schemaDifferences, writeCheckpoint } from '../../src/persist/checkpoint/index.js';
import { cleanup, tempFolder } from './support.js';

const stored = schema([
  table(
    't',
    { id: dictionary('k'), n: int32(), m: int64({ nullable: true }), l: list(dictionary('k')) },
    { key: 'id' },
  ),
  table('u', { x: int32() }),
]);
const t = (cols: Parameters<typeof table>[1], key: string | null = 'id') =>
  table('t', cols, key === null ? {} : { key });
const u = table('u', { x: int32() });
const base = { id: dictionary('k'), n: int32(), m: int64({ nullable: true }), l: list(dictionary('k')) };

let dir = '';
afterEach(() => cleanup(dir));

it('refuses a schema that differs by more than added nullable columns, saying what differs', () => {
  dir = tempFolder();
  const store = Store.create(stored);
  store.write((tx) => tx.insert('t', { id: 'a', n: 1, m: null, l: ['a'] }));
  store.read((snap) => writeCheckpoint(dir, snap));
  const cases: [Schema, string][] = [
    [schema([t({ ...base, n: int64() }), u]), 'column t.n is int32 in the checkpoint, int64 requested'],
    [
      schema([t({ ...base, m: int64() }), u]),
      'column t.m is nullable int64 in the checkpoint, int64 requested',
    ],
    [
      schema([t({ ...base, id: dictionary('other') }), u]),
      "dictionary('k', 32 bits) in the checkpoint, dictionary('other', 32 bits)",
    ],
    [schema([t({ ...base, id: dictionary('k', { width: 16 }) }), u]), '16 bits'],
    [schema([t({ ...base, l: list(dictionary('j')) }), u]), "list(dictionary('j', 32 bits)) requested"],
    [
      schema([t({ ...base, extra: int32() }), u]),
      'column t.extra is not in the checkpoint and is not nullable',
    ],
    [
      schema([t({ id: base.id, n: base.n, l: base.l }), u]),
      'column t.m of the checkpoint is not in the requested schema',
    ],
    [schema([t(base, null), u]), 'table t: key id in the checkpoint, none requested'],
    [schema([t(base)]), 'table u of the checkpoint is not in the requested schema'],
    [schema([t(base), u, table('v', { y: int32({ nullable: true }) })]), 'table v is not in the checkpoint'],
  ];
  for (const [requested, says] of cases) {
    let err: StateError | null = null;
    try {
      loadCheckpoint(dir, requested);
    } catch (e) {
      err = e as StateError;
    }
    expect(err?.code, says).toBe('SCHEMA_MISMATCH');
    expect(err?.message).toContain(says);
    expect(err?.message).toContain(dir);
  }
  // Several differences are all listed.
  expect(schemaDifferences(stored, schema([t({ ...base, n: int64(), m: int32() })]))).toHaveLength(3);
  expect(schemaDifferences(stored, stored)).toEqual([]);
  store.close();
});
