import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dictionary, int32, int64, Store, schema, struct, table, timestamp, utf8 } from '../../src/index.js';

// Rows are built by a function compiled per projection (an object literal with the names written
// out). These check that the row is the same object a user would write by hand, whatever the
// projection, and that the fallback without code generation builds the same rows.

const tasks = table(
  'tasks',
  {
    id: dictionary('task'),
    note: utf8({ nullable: true }),
    at: timestamp(),
    res: struct({ cpu: int32(), mem: int64() }),
    prio: int32(),
  },
  { key: 'id' },
);

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function filled(): Store {
  const store = Store.create(schema([tasks]), { rowGroupSize: 8 });
  open.push(store);
  store.write((tx) => {
    for (let i = 0; i < 20; i++) {
      tx.insert('tasks', {
        id: `t${i}`,
        note: i % 3 === 0 ? null : `n${i}`,
        at: -5 + i,
        res: { cpu: i, mem: BigInt(i) << 40n },
        prio: 100 - i,
      });
    }
  });
  return store;
}

describe('row shapes', () => {
  it('build whole rows and projections with the names, order and nesting of the schema', () => {
    const store = filled();
    store.read((s) => {
      const row = s.get('tasks', 't4')!;
      expect(row).toEqual({ id: 't4', note: 'n4', at: -1, res: { cpu: 4, mem: 4n << 40n }, prio: 96 });
      expect(Object.keys(row)).toEqual(['id', 'note', 'at', 'res', 'prio']);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      // Struct children asked for one by one, in any order, nest under the struct.
      const p = s.get('tasks', 't5', ['res.mem', 'prio', 'res.cpu'])!;
      expect(p).toEqual({ res: { mem: 5n << 40n, cpu: 5 }, prio: 95 });
      expect(Object.keys(p)).toEqual(['res', 'prio']);
      expect(Object.keys(p.res as object)).toEqual(['mem', 'cpu']);
      // A name given twice, or a struct and one of its children, reads each column once.
      expect(s.get('tasks', 't6', ['prio', 'prio'])).toEqual({ prio: 94 });
      expect(s.get('tasks', 't6', ['res', 'res.cpu'])).toEqual({ res: { cpu: 6, mem: 6n << 40n } });
      expect(s.getAt('tasks', 0, [])).toEqual({});
    });
  });

  it('give each read its own object, and follow a projection array changed in place', () => {
    const store = filled();
    store.read((s) => {
      const cols = ['prio'];
      const a = s.get('tasks', 't1', cols)!;
      const b = s.get('tasks', 't2', cols)!;
      expect(a).not.toBe(b);
      expect([a, b]).toEqual([{ prio: 99 }, { prio: 98 }]);
      cols[0] = 'note';
      expect(s.get('tasks', 't1', cols)).toEqual({ note: 'n1' });
      cols.push('at');
      expect(s.get('tasks', 't1', cols)).toEqual({ note: 'n1', at: -4 });
    });
  });

  it('make a column named __proto__ an own property, not the prototype', () => {
    const odd = table('odd', { id: int32(), ['__proto__']: int32() }, { key: 'id' });
    const store = Store.create(schema([odd]), { rowGroupSize: 8 });
    open.push(store);
    store.write((tx) => tx.insert('odd', { id: 1, ['__proto__']: 7 }));
    store.read((s) => {
      for (const row of [s.get('odd', 1)!, s.get('odd', 1, ['__proto__'])!]) {
        expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(7);
      }
    });
  });

  it('build the same rows where code generation from strings is disallowed', () => {
    const script = fileURLToPath(new URL('../fixtures/rows-without-codegen.ts', import.meta.url));
    const run = (flags: string[]) =>
      execFileSync(process.execPath, [...flags, '--import', 'tsx', script], { encoding: 'utf8' });
    const [codegen, compiled] = run([]).trim().split('\n');
    const [noCodegen, fallback] = run(['--disallow-code-generation-from-strings']).trim().split('\n');
    expect([codegen, noCodegen]).toEqual(['true', 'false']);
    expect(fallback).toBe(compiled);
    expect(compiled).toContain('"__proto__":5');
  });
});
