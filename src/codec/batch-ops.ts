import { StateError } from '../errors.js';
import type { Effect } from '../store/effects.js';
import { ConditionKind, Op } from './generated/mutation_generated.js';

/* The ops and condition kinds of mutation.fbs by their names in a Batch, both ways, for the codec. */

export const OPS: Record<Effect['op'], Op> = {
  insert: Op.Insert,
  upsert: Op.Upsert,
  update: Op.Update,
  updateAt: Op.UpdateAt,
  delete: Op.Delete,
  deleteAt: Op.DeleteAt,
  increment: Op.Increment,
  listAdd: Op.ListAdd,
  listRemove: Op.ListRemove,
  require: Op.Require,
  load: Op.Load,
  setMeta: Op.SetMeta,
};
export const OP_NAMES = Object.fromEntries(Object.entries(OPS).map(([name, op]) => [op, name])) as Record<
  Op,
  Effect['op']
>;

/** The kind of each value condition, by the relation it names. */
export const CONDITIONS = {
  equals: ConditionKind.Equals,
  notEquals: ConditionKind.NotEquals,
  in: ConditionKind.In,
  lt: ConditionKind.Less,
  lte: ConditionKind.LessOrEqual,
  gt: ConditionKind.Greater,
  gte: ConditionKind.GreaterOrEqual,
} as const;
export type Relation = keyof typeof CONDITIONS;
export const RELATIONS = Object.keys(CONDITIONS) as Relation[];
export const RELATION_NAMES = Object.fromEntries(
  Object.entries(CONDITIONS).map(([name, kind]) => [kind, name]),
) as Partial<Record<ConditionKind, Relation>>;

/** A StateError INVALID_BATCH, naming effect `op` when given. */
export function invalid(message: string, op?: number): StateError {
  return new StateError('INVALID_BATCH', message, op === undefined ? {} : { op });
}

/** An int64 field is two 32-bit halves: high × TWO_32 + low. */
export const TWO_32 = 2 ** 32;
