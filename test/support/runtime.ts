import { dictionary, int32, type Snapshot, schema, table, utf8 } from '../../src/index.js';

/** The writer kinds every runtime behaviour is checked under. */
export const WRITERS = ['inline', 'worker'] as const;

/** A small ledger: accounts by name, with a balance, a counter of applied operations and a note. */
export const ledger = schema([
  table(
    'accounts',
    { id: dictionary('account'), balance: int32(), ops: int32(), note: utf8({ nullable: true }) },
    { key: 'id' },
  ),
  table('audit', { seq: int32(), producer: dictionary('producer') }, { key: 'seq' }),
]);

/** Every row of `table` at the snapshot's version, in storage order. */
export function rowsOf(snap: Snapshot, name: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < snap.count(name); i++) out.push(snap.getAt(name, i));
  return out;
}
