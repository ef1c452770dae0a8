import { invalid, isRecord } from './invalid.js';
import type { Expr, Literal } from './plan.js';
import { describeType, type QueryColumn } from './resolve.js';

// Checks a filter expression from a plan: its shape, and each literal against its column's type.

/** Checks an expression's shape and its literals against the types of the columns it names. */
export function checkExpr(
  e: Expr,
  table: string,
  column: (name: unknown, what: string) => QueryColumn,
): void {
  if (!isRecord(e)) throw invalid(`a where expression of a query of ${table} must be an object`, { table });
  switch (e.op) {
    case 'and':
    case 'or':
      if (!Array.isArray(e.args))
        throw invalid(`${e.op} in a query of ${table} needs an args array`, { table });
      for (const a of e.args) checkExpr(a, table, column);
      return;
    case 'not':
      checkExpr(e.arg, table, column);
      return;
    case 'isNull':
      column(e.column, 'isNull');
      return;
    case 'contains': {
      const c = column(e.column, 'contains');
      if (c.type !== 'list' || typeof e.value !== 'string') {
        throw invalid(`contains needs a list column and a string; ${c.name} is ${describeType(c)}`, {
          table,
          column: c.name,
          value: e.value,
        });
      }
      return;
    }
    case 'in': {
      const c = column(e.column, 'in');
      if (!Array.isArray(e.values))
        throw invalid(`in on ${c.name} needs a values array`, { table, column: c.name });
      for (const v of e.values) checkLiteral(c, v, 'in', table);
      return;
    }
    case 'between': {
      const c = column(e.column, 'between');
      checkLiteral(c, e.low, 'between', table);
      checkLiteral(c, e.high, 'between', table);
      return;
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const c = column(e.column, e.op);
      checkLiteral(c, e.value, e.op, table);
      return;
    }
    default:
      throw invalid(`unknown operator ${JSON.stringify((e as { op: unknown }).op)} in a query of ${table}`, {
        table,
      });
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Whether `value` is a literal that column `c` can be compared with. */
function checkLiteral(c: QueryColumn, value: unknown, op: string, table: string): asserts value is Literal {
  let ok: boolean;
  switch (c.type) {
    case 'dictionary':
    case 'utf8':
      ok = typeof value === 'string';
      break;
    case 'bool':
      ok = typeof value === 'boolean';
      break;
    case 'int64':
      ok =
        (typeof value === 'bigint' && value >= I64_MIN && value <= I64_MAX) ||
        (typeof value === 'number' && Number.isSafeInteger(value));
      break;
    case 'timestamp':
      ok = typeof value === 'number' && Number.isSafeInteger(value);
      break;
    case 'list':
      ok = false;
      break;
    default:
      ok = typeof value === 'number' && !Number.isNaN(value);
  }
  if (!ok) {
    const want =
      c.type === 'list'
        ? 'nothing (use contains or isNull on a list column)'
        : c.type === 'dictionary' || c.type === 'utf8'
          ? 'a string'
          : c.type === 'bool'
            ? 'a boolean'
            : c.type === 'int64'
              ? 'a bigint or safe integer'
              : c.type === 'timestamp'
                ? 'integer milliseconds'
                : 'a number (not NaN)';
    throw invalid(
      `cannot compare column ${c.name} (${describeType(c)}) of ${table} with ${describeLiteral(value)} in ${op}: it needs ${want}`,
      { table, column: c.name, value },
    );
  }
}

function describeLiteral(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}
