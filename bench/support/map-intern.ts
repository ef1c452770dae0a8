// A baseline for inserting tasks: what interning the rows' dictionary strings costs with the
// engine's own hash table, and nothing else. It is not a store (no checks, no columns, no
// versions, no record): it reads every field of every row as an insert must, looks each dictionary
// string up in a JavaScript Map of its domain and adds the new ones, and keeps the numbers. What a
// row costs here is what any JavaScript program pays for the same rows and strings on this machine
// before it stores anything, so the insert target is judged against it.

import { tasksTable } from '../../src/index.js';

/** The dictionary and list columns of `tasks` and their domains, as the schema says. */
const DOMAIN_OF: Record<string, string> = Object.fromEntries(
  tasksTable.columns.flatMap((c) =>
    c.type === 'dictionary' ? [[c.name, c.domain!]] : c.type === 'list' ? [[c.name, c.item!.domain!]] : [],
  ),
);

/** A Map per domain, filled with the strings the store holds, and a place for each row's codes. */
export class MapInterner {
  readonly #domains = new Map<string, Map<string, number>>();
  #codes = new Float64Array(0);

  /** `strings`: each domain's strings in the store, in code order. */
  constructor(strings: Record<string, Iterable<string>>) {
    for (const d of new Set(Object.values(DOMAIN_OF))) {
      const m = new Map<string, number>();
      for (const s of strings[d] ?? []) m.set(s, m.size);
      this.#domains.set(d, m);
    }
  }

  /** Drops the maps (a million strings), so that they weigh on no later measurement's collector. */
  release(): void {
    this.#domains.clear();
    this.#codes = new Float64Array(0);
  }

  /** Interns every dictionary string of `rows`, keeps their numbers; returns a checksum. */
  intern(rows: readonly Record<string, unknown>[]): number {
    const width = 16;
    if (this.#codes.length < rows.length * width) this.#codes = new Float64Array(rows.length * width);
    const codes = this.#codes;
    const domains = this.#domains;
    let sum = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      let c = r * width;
      for (const name in row) {
        const v = row[name];
        if (typeof v === 'number') codes[c++] = v;
        else if (typeof v === 'string') {
          const d = DOMAIN_OF[name];
          codes[c++] = d === undefined ? v.length : code(domains.get(d)!, v);
        } else if (Array.isArray(v)) {
          const m = domains.get(DOMAIN_OF[name]!)!;
          for (let i = 0; i < v.length; i++) sum += code(m, v[i] as string);
        } else if (v !== null && typeof v === 'object') {
          for (const leaf in v) codes[c++] = (v as Record<string, number>)[leaf]!;
        }
      }
      sum += codes[r * width]!;
    }
    return sum;
  }
}

function code(m: Map<string, number>, s: string): number {
  let c = m.get(s);
  if (c === undefined) {
    c = m.size;
    m.set(s, c);
  }
  return c;
}
