/**
 * Model-based property test of snapshot isolation for string data: a table keyed by a dictionary
 * column (string keys, '' and non-ASCII ones included), with a nullable utf8 column, a
 * list<dictionary> column and a nullable 16-bit dictionary column that shares the key's domain, and
 * a second table with another column of that domain. A string first written as a reference takes
 * a code of the key domain before any row has it as its key.
 *
 * Random write batches (insert, update, updateAt, delete, deleteAt, invalid operations mixed in),
 * snapshot pins, releases and reclaims run against a store and a plain model: rows in position
 * order with the documented "the last row fills the hole" delete, and each dictionary domain as the
 * list of its strings in code order (codes are handed out in the order strings are first written).
 * After every step the newest version must equal the model, and every held snapshot the copy of
 * the model taken when it was pinned: rows by position and by key, key positions, absent keys,
 * dictionary codes and sizes; at release, its Arrow view (built when it was pinned) too. A batch
 * with an invalid operation must throw that operation's StateError and change nothing.
 *
 * The store runs with CHURN options (test/support/model-run.ts; with 64 KiB segments long values
 * need blocks of their own): copy-on-write of chunks and data blocks, segment growth and
 * reclamation happen often, and a block freed too early reads as garbage.
 * Domains stay far below the size at which the store compacts them (compactMinStrings, default
 * 1024), so codes are never renumbered here.
 */
import { type Table, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dictionary,
  int32,
  list,
  type Row,
  type RowInput,
  type Snapshot,
  type StateErrorCode,
  schema,
  table,
  utf8,
} from '../../src/index.js';
import {
  CHURN,
  checkModel,
  commandsArb,
  Reach,
  runModel,
  type SnapshotCmd,
  type Step,
  writeSteps,
} from '../support/model-run.js';

const T = 'items';
const L = 'links';
const SCHEMA = schema([
  table(
    T,
    {
      name: dictionary('name'),
      text: utf8({ nullable: true }),
      tags: list(dictionary('tag')),
      // Shares the key's domain: a string first written here takes a code before any row has it as
      // its key, and a key's code is what this column stores.
      peer: dictionary('name', { nullable: true, width: 16 }),
      n: int32(),
    },
    { key: 'name' },
  ),
  // Another table's column in the key's domain.
  table(L, { id: int32(), to: dictionary('name', { nullable: true, width: 16 }) }, { key: 'id' }),
]);
const COLUMNS = ['name', 'text', 'tags', 'peer', 'n'] as const;
const LINK_IDS = 6;

/** Keys rows may have: empty, ASCII, precomposed and combining accents, CJK, emoji, long. */
const KEY_BASES = ['', 'a', 'A', 'node-1', ' ', 'é', 'e\u0301', '漢字', '🚀', '👩‍👩‍👧', 'x'.repeat(70)];
const KEYS: readonly string[] = KEY_BASES.flatMap((b) => [b, `${b}·2`, `${b}/3`]);
/** Strings that no run ever writes anywhere: no version may have a code or a row for them. */
const NEVER: readonly string[] = ['never', 'a ', 'e', '漢', '\u{1F680}\u{1F680}'];
const TAGS: readonly string[] = [
  '',
  't',
  'gpu',
  'ünï',
  '標籤',
  '🏷️',
  'e\u0301',
  'tag-with-a-long-name'.repeat(4),
];

interface ModelRow {
  readonly name: string;
  readonly text: string | null;
  readonly tags: string[];
  readonly peer: string | null;
  readonly n: number;
}
type Values = Omit<ModelRow, 'name'>;

// --- arbitraries ------------------------------------------------------------------------------

const textArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'a', 'ünïcödé', '漢字テスト', '🚀🛰️', 'e\u0301\u0308', '\u0000'),
  },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  // Long values: a row group of them needs a data block larger than a segment.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'ü', '漢', '🚀'), fc.integer({ min: 100, max: 4_000 }))
      .map(([c, k]) => c.repeat(k)),
  },
);
const tagsArb: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.constantFrom(...TAGS), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TAGS), { minLength: 100, maxLength: 400 }) },
  // New strings now and then, so the tag domain grows (and its blocks get replaced).
  { weight: 1, arbitrary: fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 4 }) },
);
/** Mostly strings the key column also uses; sometimes one first seen in this column. */
const nameRefArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 5 }) },
);
const nArb = fc.oneof(fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0), fc.integer());
const valuesArb: fc.Arbitrary<Values> = fc.record({
  text: textArb,
  tags: tagsArb,
  peer: nameRefArb,
  n: nArb,
});
/** Some of the non-key columns (possibly none), in a random order: strings are interned in it. */
const partialValuesArb: fc.Arbitrary<Partial<Values>> = fc
  .tuple(
    fc.record({ text: textArb, tags: tagsArb, peer: nameRefArb, n: nArb }, { requiredKeys: [] }),
    fc.boolean(),
  )
  .map(([v, reverse]) => (reverse ? Object.fromEntries(Object.entries(v).reverse()) : v));
const keyArb = fc.constantFrom(...KEYS);
const selArb = fc.nat({ max: 1_000 });
const mostlyArb = fc.oneof(
  { weight: 15, arbitrary: fc.constant(true) },
  { weight: 1, arbitrary: fc.constant(false) },
);

/** Values that a column refuses, with the error code each must raise. */
const BAD_VALUES: readonly { values: RowInput; code: StateErrorCode }[] = [
  { values: { text: 5 }, code: 'TYPE_MISMATCH' },
  { values: { text: ['a'] }, code: 'TYPE_MISMATCH' },
  { values: { tags: 'a' }, code: 'TYPE_MISMATCH' },
  { values: { tags: ['a', 1] as unknown as string[] }, code: 'TYPE_MISMATCH' },
  { values: { tags: null }, code: 'NULL_NOT_ALLOWED' },
  { values: { peer: 5 }, code: 'TYPE_MISMATCH' },
  { values: { peer: ['a'] }, code: 'TYPE_MISMATCH' },
  { values: { n: 'one' }, code: 'TYPE_MISMATCH' },
  { values: { n: 2 ** 31 }, code: 'OUT_OF_RANGE' },
];

type Op =
  | { kind: 'insert'; fresh: boolean; key: string; values: Values }
  | { kind: 'update'; existing: boolean; key: string; values: Partial<Values> }
  | { kind: 'updateAt'; inRange: boolean; sel: number; values: Partial<Values> }
  | { kind: 'delete'; existing: boolean; key: string }
  | { kind: 'deleteAt'; inRange: boolean; sel: number }
  | { kind: 'link'; id: number; to: string | null }
  | { kind: 'bad'; sel: number; bad: number; value: number; values: Values };

type BatchCmd = { kind: 'batch'; ops: Op[] };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({ kind: fc.constant('insert'), fresh: mostlyArb, key: keyArb, values: valuesArb }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('update'),
      existing: mostlyArb,
      key: keyArb,
      values: partialValuesArb,
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('updateAt'),
      inRange: mostlyArb,
      sel: selArb,
      values: partialValuesArb,
    }),
  },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('delete'), existing: mostlyArb, key: keyArb }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('deleteAt'), inRange: mostlyArb, sel: selArb }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('link'),
      id: fc.nat({ max: LINK_IDS - 1 }),
      to: nameRefArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('bad'),
      sel: selArb,
      bad: fc.nat(),
      value: fc.nat({ max: BAD_VALUES.length - 1 }),
      values: valuesArb,
    }),
  },
);

const batchArb: fc.Arbitrary<BatchCmd> = fc.record({
  kind: fc.constant('batch' as const),
  ops: fc.array(opArb, { minLength: 1, maxLength: 8 }),
});
const cmdsArb = commandsArb(batchArb, 8, selArb, 80);

// --- the model --------------------------------------------------------------------------------

/** An append-only dictionary domain: its strings in code order. */
class Domain {
  readonly strings: string[];
  readonly #codes: Map<string, number>;

  constructor(strings: readonly string[] = []) {
    this.strings = [...strings];
    this.#codes = new Map(this.strings.map((s, i) => [s, i]));
  }

  clone(): Domain {
    return new Domain(this.strings);
  }

  intern(s: string): void {
    if (this.#codes.has(s)) return;
    this.#codes.set(s, this.strings.length);
    this.strings.push(s);
  }

  codeOf(s: string): number {
    return this.#codes.get(s) ?? -1;
  }
}

/** Both tables and both domains, as one version holds them. */
class Model {
  readonly rows: ModelRow[];
  readonly links: Map<number, string | null>;
  readonly names: Domain;
  readonly tags: Domain;
  readonly #pos: Map<string, number>;

  constructor(
    rows: readonly ModelRow[] = [],
    links = new Map<number, string | null>(),
    names = new Domain(),
    tags = new Domain(),
  ) {
    this.rows = [...rows];
    this.links = new Map(links);
    this.names = names.clone();
    this.tags = tags.clone();
    this.#pos = new Map(this.rows.map((r, i) => [r.name, i]));
  }

  clone(): Model {
    return new Model(this.rows, this.links, this.names, this.tags);
  }

  has(key: string): boolean {
    return this.#pos.has(key);
  }

  positionOf(key: string): number {
    return this.#pos.get(key)!;
  }

  /** Interns the strings of some values of the items table, in the order the store does. */
  #internValues(values: Partial<Values>): void {
    for (const name of Object.keys(values) as (keyof Values)[]) {
      if (name === 'tags' && values.tags !== undefined) for (const t of values.tags) this.tags.intern(t);
      if (name === 'peer' && typeof values.peer === 'string') this.names.intern(values.peer);
    }
  }

  insert(row: ModelRow): void {
    // An insert interns its columns in schema order: the key before the peer.
    this.names.intern(row.name);
    this.#internValues({ text: row.text, tags: row.tags, peer: row.peer, n: row.n });
    this.#pos.set(row.name, this.rows.length);
    this.rows.push(row);
  }

  updateAt(pos: number, values: Partial<Values>): void {
    this.#internValues(values);
    const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    this.rows[pos] = { ...this.rows[pos]!, ...defined };
  }

  /** The documented delete: the table's last row moves into the deleted row's position. */
  deleteAt(pos: number): void {
    const gone = this.rows[pos]!;
    this.#pos.delete(gone.name);
    const last = this.rows.pop()!;
    if (pos < this.rows.length) {
      this.rows[pos] = last;
      this.#pos.set(last.name, pos);
    }
  }

  link(id: number, to: string | null): void {
    if (to !== null) this.names.intern(to);
    this.links.set(id, to);
  }
}

/** Resolves a batch against a copy of the model: the operations to run, up to the first invalid one. */
function resolveBatch(model: Model, ops: readonly Op[]): { after: Model; steps: Step[] } {
  const m = model.clone();
  const steps: Step[] = [];
  const push = (run: Step['run'], error: StateErrorCode | null, writes = true) => {
    steps.push({ run, error, writes, countAfter: m.rows.length });
    return error === null;
  };
  const anyDefined = (values: Partial<Values>) => Object.values(values).some((v) => v !== undefined);
  for (const op of ops) {
    const n = m.rows.length;
    let ok: boolean;
    switch (op.kind) {
      case 'insert': {
        let key = op.key;
        if (op.fresh) {
          const start = KEYS.indexOf(key);
          const free = [...KEYS.slice(start), ...KEYS.slice(0, start)].find((k) => !m.has(k));
          if (free !== undefined) key = free;
        }
        const row: RowInput = { name: key, ...op.values };
        if (m.has(key)) {
          ok = push((tx) => tx.insert(T, row), 'DUPLICATE_KEY');
        } else {
          m.insert({ name: key, ...op.values });
          ok = push((tx) => tx.insert(T, row), null);
        }
        break;
      }
      case 'update': {
        const key = op.existing && n > 0 ? m.rows[KEYS.indexOf(op.key) % n]!.name : op.key;
        const values = op.values;
        if (m.has(key)) {
          m.updateAt(m.positionOf(key), values);
          ok = push((tx) => tx.update(T, key, values), null, anyDefined(values));
        } else {
          ok = push((tx) => tx.update(T, key, values), 'KEY_NOT_FOUND');
        }
        break;
      }
      case 'delete': {
        const key = op.existing && n > 0 ? m.rows[KEYS.indexOf(op.key) % n]!.name : op.key;
        if (m.has(key)) {
          m.deleteAt(m.positionOf(key));
          ok = push((tx) => tx.delete(T, key), null);
        } else {
          ok = push((tx) => tx.delete(T, key), 'KEY_NOT_FOUND');
        }
        break;
      }
      case 'updateAt':
      case 'deleteAt': {
        const pos = op.inRange && n > 0 ? op.sel % n : [n, n + 1, -1, 0.5][op.sel % 4]!;
        const valid = Number.isInteger(pos) && pos >= 0 && pos < n;
        if (op.kind === 'updateAt') {
          const values = op.values;
          if (valid) m.updateAt(pos, values);
          ok = push(
            (tx) => tx.updateAt(T, pos, values),
            valid ? null : 'ROW_OUT_OF_RANGE',
            anyDefined(values),
          );
        } else {
          if (valid) m.deleteAt(pos);
          ok = push((tx) => tx.deleteAt(T, pos), valid ? null : 'ROW_OUT_OF_RANGE');
        }
        break;
      }
      case 'link': {
        const { id, to } = op;
        const exists = m.links.has(id);
        m.link(id, to);
        ok = push((tx) => (exists ? tx.update(L, id, { to }) : tx.insert(L, { id, to })), null);
        break;
      }
      case 'bad':
        ok = push(...badOp(m, op));
        break;
    }
    if (!ok) break;
  }
  return { after: m, steps };
}

/** An invalid operation of one of several kinds, each failing for exactly one reason. */
function badOp(m: Model, op: Extract<Op, { kind: 'bad' }>): [Step['run'], StateErrorCode] {
  const n = m.rows.length;
  const existing = n > 0 ? m.rows[op.sel % n]!.name : null;
  const missing = KEYS.find((k) => !m.has(k)) ?? NEVER[0]!;
  const bad = BAD_VALUES[op.value]!;
  const kinds: [Step['run'], StateErrorCode][] = [
    // Values are checked before the key: a bad value fails even under a duplicate key.
    [(tx) => tx.insert(T, { name: KEYS[op.sel % KEYS.length]!, ...op.values, ...bad.values }), bad.code],
    // A key of the wrong type: the key column is a dictionary column.
    [(tx) => tx.insert(T, { name: op.sel, ...op.values }), 'TYPE_MISMATCH'],
    [(tx) => tx.update(T, missing, { n: 1 }), 'KEY_NOT_FOUND'],
    // A number is never a key of a table keyed by strings.
    [(tx) => tx.update(T, op.sel % 4, { n: 1 }), 'KEY_NOT_FOUND'],
    [(tx) => tx.delete(T, NEVER[op.sel % NEVER.length]!), 'KEY_NOT_FOUND'],
    [(tx) => tx.insert(L, { id: op.sel % LINK_IDS, to: 7 }), 'TYPE_MISMATCH'],
  ];
  if (existing !== null) {
    kinds.push(
      [(tx) => tx.insert(T, { name: existing, ...op.values }), 'DUPLICATE_KEY'],
      [(tx) => tx.update(T, existing, bad.values), bad.code],
      [(tx) => tx.updateAt(T, m.positionOf(existing), bad.values), bad.code],
      [(tx) => tx.update(T, existing, { name: existing }), 'KEY_UPDATE'],
    );
  }
  return kinds[op.bad % kinds.length]!;
}

// --- comparison -------------------------------------------------------------------------------

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}… (${v.length})` : v);
  if (Array.isArray(v)) return v.length > 6 ? `[${v.length} items]` : JSON.stringify(v);
  return String(v);
}

function sameList(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Describes the first difference between a row read from the store and the model, or null. */
function rowDiff(actual: Row | null, expected: ModelRow): string | null {
  if (actual === null) return `row ${show(expected.name)} is missing`;
  const names = Object.keys(actual).sort().join();
  if (names !== [...COLUMNS].sort().join()) return `row ${show(expected.name)} has columns ${names}`;
  if (actual.name !== expected.name) return `name is ${show(actual.name)}, expected ${show(expected.name)}`;
  if (actual.text !== expected.text)
    return `row ${show(expected.name)}: text is ${show(actual.text)}, expected ${show(expected.text)}`;
  if (!sameList(actual.tags, expected.tags))
    return `row ${show(expected.name)}: tags are ${show(actual.tags)}, expected ${show(expected.tags)}`;
  if (actual.peer !== expected.peer)
    return `row ${show(expected.name)}: peer is ${show(actual.peer)}, expected ${show(expected.peer)}`;
  if (actual.n !== expected.n) return `row ${show(expected.name)}: n is ${actual.n}, expected ${expected.n}`;
  return null;
}

/** Every string a run might have written to the name domain, and some it never does. */
function probeNames(model: Model, extra: Iterable<string>): Set<string> {
  return new Set([...KEYS, ...NEVER, ...model.names.strings, ...extra]);
}

/** Checks that `snap` shows exactly `model`: both tables and both domains. */
function expectSnapshotEquals(
  snap: Snapshot,
  model: Model,
  everNames: Iterable<string>,
  label: string,
): void {
  // Plain comparisons, with expect.fail on the first difference: thousands of checks per run.
  const fail = (what: string) => expect.fail(`${label}: ${what}`);
  const rows = model.rows;
  const count = snap.count(T);
  if (count !== rows.length) fail(`count is ${count}, expected ${rows.length}`);
  for (let i = 0; i < rows.length; i++) {
    const expected = rows[i]!;
    const diffAt = rowDiff(snap.getAt(T, i), expected);
    if (diffAt !== null) fail(`getAt(${i}): ${diffAt}`);
    const diffKey = rowDiff(snap.get(T, expected.name), expected);
    if (diffKey !== null) fail(`get(${show(expected.name)}): ${diffKey}`);
    const pos = snap.locate(T, expected.name);
    if (pos !== i) fail(`locate(${show(expected.name)}) is ${pos}, expected ${i}`);
  }
  // Keys of no row at this version: strings of other versions, of the links, and never used.
  for (const key of probeNames(model, everNames)) {
    if (model.has(key)) continue;
    const row = snap.get(T, key);
    if (row !== null) fail(`get(${show(key)}) of an absent key returned ${show(row.name)}`);
    const pos = snap.locate(T, key);
    if (pos !== -1) fail(`locate(${show(key)}) of an absent key returned ${pos}`);
  }
  for (const key of [0, 1, -1, 0.5]) {
    if (snap.get(T, key) !== null || snap.locate(T, key) !== -1) fail(`number key ${key} found a row`);
  }

  expectCodes(snap, model, fail);

  if (snap.count(L) !== model.links.size)
    fail(`${L} count is ${snap.count(L)}, expected ${model.links.size}`);
  for (let id = 0; id < LINK_IDS; id++) {
    const row = snap.get(L, id);
    const to = model.links.get(id);
    if (to === undefined ? row !== null : row?.to !== to)
      fail(`${L} ${id}: to is ${show(row?.to)}, expected ${show(to)}`);
  }

  // The dictionaries: exactly this version's strings, with the codes of the order they came in.
  for (const [domain, d, probes] of [
    ['name', model.names, probeNames(model, everNames)],
    ['tag', model.tags, new Set([...TAGS, ...NEVER, ...model.tags.strings])],
  ] as const) {
    const size = snap.domainSize(domain);
    if (size !== d.strings.length)
      fail(`domain ${domain} holds ${size} strings, expected ${d.strings.length}`);
    for (const s of probes) {
      const code = snap.codeOf(domain, s);
      if (code !== d.codeOf(s)) fail(`codeOf(${domain}, ${show(s)}) is ${code}, expected ${d.codeOf(s)}`);
    }
    for (let code = 0; code < d.strings.length; code++) {
      const s = snap.stringOf(domain, code);
      if (s !== d.strings[code])
        fail(`stringOf(${domain}, ${code}) is ${show(s)}, expected ${d.strings[code]}`);
    }
  }
}

/** The Arrow view of the items table against the model's rows. */
function expectTableEquals(tbl: Table, rows: readonly ModelRow[], label: string): void {
  const fail = (what: string) => expect.fail(`${label}: Arrow ${what}`);
  if (tbl.numRows !== rows.length) fail(`numRows is ${tbl.numRows}, expected ${rows.length}`);
  const names = tbl.getChild('name')!;
  const text = tbl.getChild('text')!;
  const tags = tbl.getChild('tags')!;
  const peer = tbl.getChild('peer')!;
  const n = tbl.getChild('n')!;
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i]!;
    if (names.get(i) !== e.name) fail(`name[${i}] is ${show(names.get(i))}, expected ${show(e.name)}`);
    if (text.get(i) !== e.text) fail(`text[${i}] is ${show(text.get(i))}, expected ${show(e.text)}`);
    const list = [...((tags.get(i) as Vector | null) ?? [])] as string[];
    if (!sameList(list, e.tags)) fail(`tags[${i}] are ${show(list)}, expected ${show(e.tags)}`);
    if (peer.get(i) !== e.peer) fail(`peer[${i}] is ${show(peer.get(i))}, expected ${show(e.peer)}`);
    if (n.get(i) !== e.n) fail(`n[${i}] is ${n.get(i)}, expected ${e.n}`);
  }
}

/** The codes that chunks() shows for the key and peer columns are the model's codes of one domain. */
function expectCodes(snap: Snapshot, model: Model, fail: (what: string) => void): void {
  const keys = snap.chunks(T, 'name');
  const peers = snap.chunks(T, 'peer');
  let r = 0;
  for (let g = 0; g < keys.length; g++) {
    const k = keys[g]!;
    const p = peers[g]!;
    for (let i = 0; i < k.length; i++, r++) {
      const e = model.rows[r]!;
      if (k.values[i] !== model.names.codeOf(e.name)) fail(`key code of row ${r} is ${k.values[i]}`);
      const valid = (p.validity![i >> 3]! & (1 << (i & 7))) !== 0;
      if (valid !== (e.peer !== null)) fail(`peer validity of row ${r} is ${valid}`);
      if (e.peer !== null && p.values[i] !== model.names.codeOf(e.peer))
        fail(`peer code of row ${r} is ${p.values[i]}, expected ${model.names.codeOf(e.peer)}`);
    }
  }
  if (r !== model.rows.length) fail(`chunks hold ${r} rows`);
}

// --- the property -----------------------------------------------------------------------------

const reach = new Reach();
/** What the runs exercised of strings, besides what every model run counts. */
const stringReach = { emptyKeyRows: 0, longTexts: 0, keyAfterReference: 0 };

function runCommands(cmds: readonly (BatchCmd | SnapshotCmd)[]): void {
  /** Every string some version had in the name domain: snapshots must not find the others. */
  const everNames = new Set<string>();
  const everKeys = new Set<string>();
  runModel(cmds, reach, SCHEMA, CHURN, new Model(), (store) => ({
    batch(cmd, model, version) {
      const { after, steps } = resolveBatch(model, cmd.ops);
      const v = writeSteps(store, reach, T, steps, version);
      if (steps.at(-1)!.error !== null) return { model, version };
      for (const r of after.rows) {
        // A key whose string an earlier version already had, from a peer or a link.
        if (!everKeys.has(r.name) && everNames.has(r.name)) stringReach.keyAfterReference++;
        everKeys.add(r.name);
      }
      for (const s of after.names.strings) everNames.add(s);
      return { model: after, version: v };
    },
    check: (snap, model, label) => expectSnapshotEquals(snap, model, everNames, label),
    checkNewest(snap, model) {
      if (model.rows.length === 0) return;
      // A read of some columns returns exactly those.
      const r = model.rows.at(-1)!;
      const some = snap.get(T, r.name, ['tags', 'text'])!;
      expect(Object.keys(some).sort()).toEqual(['tags', 'text']);
      expect(some.text).toBe(r.text);
    },
    // The Arrow view made at the pin is checked again at release.
    hold: (snap) => snap.table(T),
    release({ snap, version, model, kept }) {
      expectTableEquals(kept, model.rows, `pinned v${version}, view from its pin`);
      expectTableEquals(snap.table(T), model.rows, `pinned v${version}, view at release`);
    },
    rows: (model) => model.rows.length,
    step(model) {
      if (model.has('')) stringReach.emptyKeyRows++;
      if (model.rows.some((r) => (r.text?.length ?? 0) >= 100)) stringReach.longTexts++;
    },
    end(model) {
      store.read((s) => {
        const view = s.table(T);
        expectTableEquals(view, model.rows, 'newest at the end');
        // Key and peer share one dictionary (with different index widths) in an IPC file.
        expectTableEquals(tableFromIPC(tableToIPC(view, 'file')), model.rows, 'IPC file of the newest');
      });
    },
  }));
}

describe('snapshot isolation with string keys, utf8 and list columns (model-based)', () => {
  it('every snapshot keeps its rows and dictionaries while random batches commit, fail and get reclaimed', () => {
    checkModel(cmdsArb, runCommands, 100);
    reach.expectReached({
      runs: 100,
      commits: 400,
      failed: [
        'DUPLICATE_KEY',
        'KEY_NOT_FOUND',
        'KEY_UPDATE',
        'NULL_NOT_ALLOWED',
        'OUT_OF_RANGE',
        'ROW_OUT_OF_RANGE',
        'TYPE_MISMATCH',
      ],
      maxHeld: 3,
      heldAcrossCommits: 100,
    });
    expect(stringReach.emptyKeyRows, 'the empty string was a key').toBeGreaterThan(0);
    expect(stringReach.longTexts, 'long texts were stored').toBeGreaterThan(0);
    expect(stringReach.keyAfterReference, 'strings first written as references became keys').toBeGreaterThan(
      10,
    );
  });
});
