import { describeValue, StateError } from '../errors.js';
import type { Batch, Effect } from './effects.js';
import type { Transaction } from './transaction.js';
import type { RowInput } from './values.js';

/**
 * Applies every effect of `batch` inside `tx`, in order. `producer` and `seq` are the commit feed's
 * and play no part; a marker batch has no effects, so it changes nothing.
 */
export function applyBatch(tx: Transaction, batch: Batch): void {
  if (batch === null || typeof batch !== 'object' || !Array.isArray(batch.effects)) {
    throw new StateError('INVALID_BATCH', 'a batch is an object with an array of effects');
  }
  if (batch.marker !== undefined && (batch.marker !== 'compaction' || batch.effects.length > 0)) {
    throw new StateError(
      'INVALID_BATCH',
      `a batch marker is 'compaction' on a batch without effects, not ${describeValue(batch.marker)} on ${batch.effects.length} effects`,
    );
  }
  for (let i = 0; i < batch.effects.length; i++) {
    const e = batch.effects[i]!;
    checkShape(e, i);
    switch (e?.op) {
      case 'insert': {
        const end = insertRun(batch.effects, i);
        if (end - i < MIN_RUN) {
          tx.insert(e.table, e.row);
          break;
        }
        const rows = new Array<RowInput>(end - i);
        for (let j = i; j < end; j++) rows[j - i] = (batch.effects[j] as { row: RowInput }).row;
        tx.insertRows(e.table, rows);
        i = end - 1;
        break;
      }
      case 'upsert':
        tx.upsert(e.table, e.row);
        break;
      case 'update':
        tx.update(e.table, e.key, e.values);
        break;
      case 'updateAt':
        tx.updateAt(e.table, e.row, e.values);
        break;
      case 'delete':
        tx.delete(e.table, e.key);
        break;
      case 'deleteAt':
        tx.deleteAt(e.table, e.row);
        break;
      case 'increment':
        tx.increment(e.table, e.key, e.column, e.by);
        break;
      case 'listAdd':
        tx.listAdd(e.table, e.key, e.column, e.value);
        break;
      case 'listRemove':
        tx.listRemove(e.table, e.key, e.column, e.value);
        break;
      case 'require':
        tx.require(e.table, e.key, e.condition);
        break;
      case 'load':
        tx.load(e.table, e.rows);
        break;
      case 'setMeta':
        tx.setMeta(e.key, e.value);
        break;
      default:
        throw new StateError(
          'INVALID_BATCH',
          `effect ${i} of the batch has no known op: ${describeValue(e?.op)}`,
          {
            op: i,
          },
        );
    }
  }
}

/**
 * The fewest inserts in a row that apply as one insertRows: below it, making the columns costs
 * more than inserting row by row saves.
 */
const MIN_RUN = 32;

/**
 * Where the run of inserts into one table that starts at effect `i` ends: at the first effect that
 * is not such an insert or is malformed (it then fails after the run is applied, as it would
 * one effect at a time). Applied as one insertRows, a run fails with the error of its first bad
 * row, as the inserts one by one would: the batch is all or nothing either way.
 */
function insertRun(effects: readonly Effect[], i: number): number {
  const table = (effects[i] as { table: string }).table;
  let j = i + 1;
  while (j < effects.length) {
    const e = effects[j] as Effect | null;
    if (!isObject(e) || e!.op !== 'insert' || e!.table !== table || shapeError(e!, j) !== null) break;
    j++;
  }
  return j;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Refuses an effect whose fields have the wrong types, before it reaches the transaction. */
function checkShape(effect: Effect, i: number): void {
  const err = shapeError(effect, i);
  if (err !== null) throw err;
}

function shapeError(effect: Effect, i: number): StateError | null {
  // Metadata belongs to no table; its key and value are checked where they are applied.
  if (isObject(effect) && effect.op === 'setMeta') return null;
  const e = effect as Exclude<Effect, { op: 'setMeta' }>;
  if (!isObject(e) || typeof e.table !== 'string') {
    return new StateError('INVALID_BATCH', `effect ${i} of the batch is not an effect on a named table`, {
      op: i,
    });
  }
  if ('row' in e && (e.op === 'insert' || e.op === 'upsert') && !isObject(e.row))
    return malformed(e, i, 'row');
  if ('values' in e && !isObject(e.values)) return malformed(e, i, 'values');
  if ('key' in e && typeof e.key !== 'number' && typeof e.key !== 'string') return malformed(e, i, 'key');
  if ((e.op === 'updateAt' || e.op === 'deleteAt') && typeof e.row !== 'number')
    return malformed(e, i, 'row');
  if (e.op === 'load' && !isObject(e.rows)) return malformed(e, i, 'rows');
  return null;
}

/*
 * A function of its own, not a closure in checkShape: under tsx (the tests, the benchmarks, the
 * dev workers) every closure is named with Object.defineProperty when it is made, which cost a
 * third of applying a one-row update.
 */
function malformed(e: Exclude<Effect, { op: 'setMeta' }>, i: number, field: string): StateError {
  return new StateError('INVALID_BATCH', `effect ${i} (${e.op} on ${e.table}) has a malformed ${field}`, {
    table: e.table,
    op: i,
  });
}
