/**
 * Bulk loads among other writes, each in its own transaction, against a plain model: random
 * sequences of tx.load (rows naming strings the domain may or may not hold already), tx.insert,
 * updates, deletes, pins, releases and reclamations, on a store that reuses freed memory at once
 * and poisons it (CHURN). After every step the newest version and every held snapshot equal the
 * model of their version. This is the test that would have caught a load of known strings growing
 * a domain's blocks without publishing them (the old blocks were freed under the root).
 */
import { Dictionary, Field, Int32, List, Table, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dictionary, int32, list, type Row, type Snapshot, Store, schema, table } from '../../src/index.js';
import { CHURN } from '../support/model-run.js';

const s = schema([
  table(
    'items',
    {
      id: dictionary('name'),
      owner: dictionary('owner', { nullable: true }),
      tags: list(dictionary('tag')),
      n: int32(),
    },
    { key: 'id' },
  ),
]);

type Item = { id: string; owner: string | null; tags: string[]; n: number };
/** Rows in storage order: a delete moves the last row into the hole, as the store does. */
type Model = readonly Item[];

// Owners and tags come from pools of POOL strings, which every run starts by writing, and a few
// more. A load naming only known strings (`known`) still makes its domain reserve room for its
// dictionary, more than the domain has: its blocks are replaced although no string is added.
const POOL = 200;
const ownerArb = fc.option(
  fc.nat(POOL + 19).map((i) => `o-${i}`),
  { nil: null, freq: 8 },
);
const fieldsArb = fc.record({
  owner: ownerArb,
  tags: fc.array(
    fc.nat(POOL + 19).map((i) => `t-${i}`),
    { maxLength: 3 },
  ),
  n: fc.integer({ min: -1000, max: 1000 }),
});
const cmdArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('load' as const),
      rows: fc.array(fieldsArb, { minLength: 30, maxLength: 100, size: 'max' }),
      known: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      rows: fc.array(fieldsArb, { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('update' as const), sel: fc.nat(), owner: ownerArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), sel: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pin' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), sel: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reclaim' as const) }) },
);

/** The rows of `items` at a version, in storage order. */
function rowsOf(snap: Snapshot): Row[] {
  return Array.from({ length: snap.count('items') }, (_, i) => snap.getAt('items', i));
}

/**
 * Checks that a version shows `model`: its rows, and every string they name found through the
 * domain's hash index (rows decode through a string cache, which can hide a freed domain block).
 */
function expectModel(snap: Snapshot, model: Model): void {
  expect(rowsOf(snap)).toEqual(model);
  for (const r of model) {
    expect(snap.codeOf('name', r.id)).toBeGreaterThanOrEqual(0);
    if (r.owner !== null) expect(snap.codeOf('owner', r.owner)).toBeGreaterThanOrEqual(0);
    for (const t of r.tags) expect(snap.codeOf('tag', t)).toBeGreaterThanOrEqual(0);
  }
}

/** Strings as a checkpoint holds them: dictionary-encoded, and list items too. */
const strings = () => new Dictionary(new Utf8(), new Int32());

function arrowOf(items: readonly Item[]): Table {
  return new Table({
    id: vectorFromArray(
      items.map((r) => r.id),
      strings(),
    ),
    owner: vectorFromArray(
      items.map((r) => r.owner),
      strings(),
    ),
    tags: vectorFromArray(
      items.map((r) => r.tags),
      new List(new Field('item', strings(), false)),
    ),
    n: vectorFromArray(
      items.map((r) => r.n),
      new Int32(),
    ),
  });
}

describe('bulk loads among other writes', () => {
  it('leave every version equal to the model, with freed memory reused and poisoned', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 12, size: 'max' }), (cmds) => {
        const store = Store.create(s, CHURN);
        const held: { snap: Snapshot; model: Model }[] = [];
        let next = 0;
        const fresh = (f: { owner: string | null; tags: string[]; n: number }): Item => ({
          id: `id-${next++}`,
          ...f,
        });
        // Every pool string, known to its domain from the start.
        let model: Model = Array.from({ length: POOL }, (_, i) =>
          fresh({ owner: `o-${i}`, tags: [`t-${i}`], n: i }),
        );
        store.write((tx) => {
          for (const r of model) tx.insert('items', r);
        });
        const inPool = (x: string) => `${x.slice(0, 2)}${Number(x.slice(2)) % POOL}`;
        try {
          for (const cmd of cmds) {
            if (cmd.kind === 'load' || cmd.kind === 'insert') {
              const rows =
                cmd.kind === 'load' && cmd.known
                  ? cmd.rows.map((r) => ({
                      ...r,
                      owner: r.owner && inPool(r.owner),
                      tags: r.tags.map(inPool),
                    }))
                  : cmd.rows;
              const added = rows.map(fresh);
              if (cmd.kind === 'load') store.write((tx) => tx.load('items', arrowOf(added)));
              else
                store.write((tx) => {
                  for (const r of added) tx.insert('items', r);
                });
              model = [...model, ...added];
            } else if (cmd.kind === 'update' && model.length > 0) {
              const i = cmd.sel % model.length;
              store.write((tx) => tx.update('items', model[i]!.id, { owner: cmd.owner }));
              model = model.map((r, k) => (k === i ? { ...r, owner: cmd.owner } : r));
            } else if (cmd.kind === 'delete' && model.length > 0) {
              const i = cmd.sel % model.length;
              store.write((tx) => tx.delete('items', model[i]!.id));
              const last = model.at(-1)!;
              model = model.slice(0, -1).map((r, k) => (k === i ? last : r));
            } else if (cmd.kind === 'pin') {
              held.push({ snap: store.snapshot(), model });
            } else if (cmd.kind === 'release' && held.length > 0) {
              held.splice(cmd.sel % held.length, 1)[0]!.snap.release();
            } else if (cmd.kind === 'reclaim') {
              store.reclaim();
            }
            store.read((snap) => expectModel(snap, model));
            for (const h of held) expectModel(h.snap, h.model);
          }
        } finally {
          for (const h of held) h.snap.release();
          store.close();
        }
      }),
      { numRuns: 25, seed: 11 },
    );
  });
});
