import { batch, dictionary, int32, type Snapshot, schema, table, utf8 } from '../../src/index.js';

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

/**
 * The read-then-write increment that update(fn) retries under contention: read account `a`'s
 * counter, require that it still holds it, write it plus one. Every thread of the update tests
 * runs this same batch.
 */
export function incrementOps(s: Snapshot) {
  const ops = s.get('accounts', 'a', ['ops'])!.ops as number;
  return batch()
    .require('accounts', 'a', { column: 'ops', equals: ops })
    .update('accounts', 'a', { ops: ops + 1 });
}

/** The accounts the producer plans touch. */
export const ACCOUNTS = ['a0', 'a1', 'a2', 'a3', 'a4'];

/** One planned batch of a producer: an increment and an audit row, or a flaw that must reject it. */
export interface PlannedBatch {
  readonly account: string;
  readonly by: number;
  readonly seq: number;
  /** How the batch is made to fail, or null for a good one. */
  readonly flaw: null | 'duplicate' | 'precondition' | 'type';
}

/** Producer `p`'s `n` batches, about one in four flawed: the same plan in every thread. */
export function planBatches(p: number, n: number): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  let x = (p + 1) * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const r = x % 16;
    const flaw =
      r === 0 ? 'duplicate' : r === 1 ? 'precondition' : r === 2 ? 'type' : r === 3 ? 'precondition' : null;
    out.push({ account: ACCOUNTS[x % ACCOUNTS.length]!, by: (x % 7) - 3, seq: p * 1_000_000 + i + 1, flaw });
  }
  return out;
}

/** The effects of a planned batch. Flawed ones fail after changing something, so an apply must undo. */
export function plannedEffects(b: PlannedBatch, producer: string) {
  const effects = batch()
    .increment('accounts', b.account, 'balance', b.by)
    .increment('accounts', b.account, 'ops', 1)
    .insert('audit', { seq: b.seq, producer });
  if (b.flaw === 'duplicate') effects.insert('audit', { seq: b.seq, producer });
  if (b.flaw === 'precondition') effects.require('accounts', b.account, { column: 'ops', equals: -1 });
  if (b.flaw === 'type') effects.update('accounts', b.account, { note: 12 as unknown as string });
  return effects;
}

/** What a producer reports: per planned batch, the version that applied it or the error code. */
export interface ProducerOutcome {
  readonly seq: number;
  readonly version: number | null;
  readonly code: string | null;
}

/** Submits a producer's plan through `submit`, all in flight at once, and collects the outcomes. */
export async function runPlan(
  submit: (b: ReturnType<typeof plannedEffects>) => Promise<number>,
  plan: PlannedBatch[],
  producer: string,
): Promise<ProducerOutcome[]> {
  const settled = await Promise.allSettled(plan.map((b) => submit(plannedEffects(b, producer))));
  return settled.map((s, i) =>
    s.status === 'fulfilled'
      ? { seq: plan[i]!.seq, version: s.value, code: null }
      : { seq: plan[i]!.seq, version: null, code: (s.reason as { code?: string }).code ?? String(s.reason) },
  );
}
