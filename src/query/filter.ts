import type { ChunkView } from '../store/arrow-view.js';
import { compareStrings, holds } from '../store/compare.js';
import { compareBytes, compareHalves, halves, isValid, splitBigInt } from './cells.js';
import type { QueryContext } from './context.js';
import type { CompareOp, Expr, Literal } from './plan.js';
import type { QueryColumn } from './resolve.js';

/*
 * Filters compiled to one function per expression node, each called once per chunk: it writes 1
 * (keep) or 0 into `out` for the chunk's `n` rows. The loops run on the chunk's typed arrays; a
 * null cell makes every comparison false. Literals are turned into the column's representation
 * once per query: a dictionary equality into a code (the string is never compared), a dictionary
 * ordering into a per-code answer decided once per code, an int64 into two 32-bit halves, a
 * string for a utf8 column into UTF-8 bytes.
 */

/** A compiled filter node. */
export type FilterFn = (views: readonly ChunkView[], n: number, out: Uint8Array) => void;

const encoder = new TextEncoder();

/** Compiles `expr` for the query of `ctx`. */
export function compileFilter(ctx: QueryContext, expr: Expr): FilterFn {
  const col = (name: string): QueryColumn => ctx.r.columns.find((c) => c.name === name)!;
  const scratch = () => new Uint8Array(ctx.groupSize);
  const build = (e: Expr): FilterFn => {
    switch (e.op) {
      case 'and':
      case 'or': {
        if (e.args.length === 0)
          return e.op === 'and' ? (_v, n, out) => out.fill(1, 0, n) : (_v, n, out) => out.fill(0, 0, n);
        const parts = e.args.map(build);
        const tmp = scratch();
        const isAnd = e.op === 'and';
        return (views, n, out) => {
          parts[0]!(views, n, out);
          for (let p = 1; p < parts.length; p++) {
            parts[p]!(views, n, tmp);
            if (isAnd) for (let i = 0; i < n; i++) out[i]! &= tmp[i]!;
            else for (let i = 0; i < n; i++) out[i]! |= tmp[i]!;
          }
        };
      }
      case 'not': {
        const inner = build(e.arg);
        return (views, n, out) => {
          inner(views, n, out);
          for (let i = 0; i < n; i++) out[i]! ^= 1;
        };
      }
      case 'isNull': {
        const s = col(e.column).slot;
        return (views, n, out) => {
          const validity = views[s]!.validity;
          if (validity === null) out.fill(0, 0, n);
          else for (let i = 0; i < n; i++) out[i] = isValid(validity, i) ? 0 : 1;
        };
      }
      case 'between':
        return build({
          op: 'and',
          args: [
            { op: 'gte', column: e.column, value: e.low },
            { op: 'lte', column: e.column, value: e.high },
          ],
        });
      case 'contains':
        return containsFilter(ctx, col(e.column), e.value);
      case 'in':
        return inFilter(ctx, col(e.column), e.values, build);
      default:
        return compareFilter(ctx, col(e.column), e.op, e.value);
    }
  };
  return build(expr);
}

function containsFilter(ctx: QueryContext, c: QueryColumn, value: string): FilterFn {
  const code = ctx.snap.codeOf(c.domain!, value);
  const s = c.slot;
  return (views, n, out) => {
    const v = views[s]!;
    const items = v.values as Int32Array;
    const offsets = v.offsets!;
    for (let i = 0; i < n; i++) {
      let hit = 0;
      if (code >= 0 && isValid(v.validity, i)) {
        for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
          if (items[k] === code) {
            hit = 1;
            break;
          }
        }
      }
      out[i] = hit;
    }
  };
}

function inFilter(
  ctx: QueryContext,
  c: QueryColumn,
  values: readonly Literal[],
  build: (e: Expr) => FilterFn,
): FilterFn {
  const s = c.slot;
  if (c.type === 'dictionary') {
    // Membership by code: one byte per code of the domain, set for the codes of the values.
    const member = new Uint8Array(ctx.snap.domainSize(c.domain!));
    for (const v of values) {
      const code = ctx.snap.codeOf(c.domain!, v as string);
      if (code >= 0) member[code] = 1;
    }
    return (views, n, out) => {
      const v = views[s]!;
      const codes = v.values as Int32Array;
      // A null cell's code is 0 (or stale, in a joined column): a valid index, cleared after.
      for (let i = 0; i < n; i++) out[i] = member[codes[i]!]!;
      andValidity(v.validity, n, out);
    };
  }
  if (c.type !== 'int64' && c.type !== 'timestamp' && c.type !== 'utf8' && c.type !== 'bool') {
    const set = new Set(values as number[]);
    return (views, n, out) => {
      const v = views[s]!;
      const nums = v.values as Float64Array;
      const validity = v.validity;
      for (let i = 0; i < n; i++) out[i] = isValid(validity, i) && set.has(nums[i]!) ? 1 : 0;
    };
  }
  return build({ op: 'or', args: values.map((value) => ({ op: 'eq' as const, column: c.name, value })) });
}

function compareFilter(ctx: QueryContext, c: QueryColumn, op: CompareOp, value: Literal): FilterFn {
  const s = c.slot;
  switch (c.type) {
    case 'dictionary':
      return op === 'eq' || op === 'ne'
        ? dictionaryEquality(ctx, c, op, value as string)
        : dictionaryOrder(ctx, c, op, value as string);
    case 'utf8': {
      const lit = encoder.encode(value as string);
      return (views, n, out) => {
        const v = views[s]!;
        const bytes = v.values as Uint8Array;
        const offsets = v.offsets!;
        for (let i = 0; i < n; i++) {
          out[i] =
            isValid(v.validity, i) && holds(op, compareBytes(bytes, offsets[i]!, offsets[i + 1]!, lit))
              ? 1
              : 0;
        }
      };
    }
    case 'int64':
    case 'timestamp': {
      const { hi: lh, lo: ll } = splitBigInt(BigInt(value as number | bigint));
      return (views, n, out) => {
        const v = views[s]!;
        const { hi, lo } = halves(v);
        for (let i = 0; i < n; i++) {
          out[i] =
            isValid(v.validity, i) && holds(op, compareHalves(hi[2 * i + 1]!, lo[2 * i]!, lh, ll)) ? 1 : 0;
        }
      };
    }
    case 'bool': {
      const lit = value ? 1 : 0;
      return (views, n, out) => {
        const v = views[s]!;
        const bits = v.values as Uint8Array;
        for (let i = 0; i < n; i++) {
          out[i] = isValid(v.validity, i) && holds(op, ((bits[i >> 3]! >> (i & 7)) & 1) - lit) ? 1 : 0;
        }
      };
    }
    default:
      return numberCompare(s, op, value as number);
  }
}

/** Equality on codes: the literal's code is looked up once; a string not in the domain matches nothing. */
function dictionaryEquality(ctx: QueryContext, c: QueryColumn, op: 'eq' | 'ne', value: string): FilterFn {
  const code = ctx.snap.codeOf(c.domain!, value);
  const isEq = op === 'eq';
  const s = c.slot;
  return (views, n, out) => {
    const v = views[s]!;
    const codes = v.values as Int32Array;
    const lit = code;
    if (isEq) for (let i = 0; i < n; i++) out[i] = codes[i] === lit ? 1 : 0;
    else for (let i = 0; i < n; i++) out[i] = codes[i] !== lit ? 1 : 0;
    andValidity(v.validity, n, out);
  };
}

/** Clears the rows of `out` whose cell is null (a comparison with null is false). */
function andValidity(validity: Uint8Array | null, n: number, out: Uint8Array): void {
  if (validity !== null) for (let i = 0; i < n; i++) out[i]! &= (validity[i >> 3]! >> (i & 7)) & 1;
}

/** Ordering by string value: each code's answer is worked out the first time it is met, then cached. */
function dictionaryOrder(ctx: QueryContext, c: QueryColumn, op: CompareOp, value: string): FilterFn {
  // 0: not decided yet, 1: false, 2: true.
  const answer = new Uint8Array(ctx.snap.domainSize(c.domain!));
  const domain = c.domain!;
  const s = c.slot;
  return (views, n, out) => {
    const v = views[s]!;
    const codes = v.values as Int32Array;
    const validity = v.validity;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) {
        out[i] = 0;
        continue;
      }
      const code = codes[i]!;
      let a = answer[code]!;
      if (a === 0) {
        a = holds(op, compareStrings(ctx.decode(domain, code), value)) ? 2 : 1;
        answer[code] = a;
      }
      out[i] = a - 1;
    }
  };
}

/** Number columns: one loop per operator, so the loop body is a single typed-array compare. */
function numberCompare(s: number, op: CompareOp, lit: number): FilterFn {
  return (views, n, out) => {
    const v = views[s]!;
    const x = v.values as Float64Array;
    const validity = v.validity;
    switch (op) {
      case 'eq':
        for (let i = 0; i < n; i++) out[i] = x[i] === lit ? 1 : 0;
        break;
      case 'ne':
        for (let i = 0; i < n; i++) out[i] = x[i] !== lit ? 1 : 0;
        break;
      case 'lt':
        for (let i = 0; i < n; i++) out[i] = x[i]! < lit ? 1 : 0;
        break;
      case 'lte':
        for (let i = 0; i < n; i++) out[i] = x[i]! <= lit ? 1 : 0;
        break;
      case 'gt':
        for (let i = 0; i < n; i++) out[i] = x[i]! > lit ? 1 : 0;
        break;
      default:
        for (let i = 0; i < n; i++) out[i] = x[i]! >= lit ? 1 : 0;
    }
    andValidity(validity, n, out);
  };
}
