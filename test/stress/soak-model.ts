// The soak test's writer side: a plain-JavaScript mirror of the store and the operations that
// change both. Each operation emits its effects into a sink (a batch builder or a live
// transaction) and applies the same change to the mirror, so the writer never needs to read the
// store to know what a correct version holds, and can compare the store with it at any time.
import type { Snapshot, Transaction } from '../../src/index.js';
import { batch, dictionary, int32, int64, list, schema, table, utf8 } from '../../src/index.js';

/** The tables of the soak: accounts that hold balances and point at nodes, and nodes that count them. */
export const soakSchema = schema([
  table(
    'accounts',
    {
      id: dictionary('account'),
      balance: int64(),
      node: dictionary('node'),
      note: utf8(),
      tags: list(dictionary('tag')),
    },
    { key: 'id' },
  ),
  table('nodes', { id: dictionary('node'), count: int32() }, { key: 'id' }),
]);

/** What a batch builder and a transaction both accept: operations emit into either. */
export type Sink = Pick<
  Transaction,
  'insert' | 'update' | 'delete' | 'increment' | 'listAdd' | 'listRemove' | 'require'
>;

/** Sizes of the soak's state. */
export interface SoakShape {
  accounts: number;
  nodes: number;
  /** Distinct tags in use at any time; retired ones are replaced by fresh names. */
  tagPool: number;
  maxTags: number;
  /** Longest note body, in characters. */
  maxNote: number;
  initialBalance: number;
}

/** A deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

// Two- and three-byte UTF-8 characters among ASCII, so note bytes and characters differ.
const NOTE_TEXT = 'soak-é-ж-€-abcdefghijklmnopqrstuvwxyz-0123456789-'.repeat(40);

/** A note whose prefix states its body's length: "12:..." — a reader can check any row alone. */
export function makeNote(length: number, salt: number): string {
  const at = salt % 50;
  return `${length}:${NOTE_TEXT.slice(at, at + length)}`;
}

/** Thrown inside a write callback on purpose: the transaction must leave no trace. */
export class Refused extends Error {}

/** The mirror, with an undo log for transactions that are meant to fail. */
export class SoakModel {
  readonly shape: SoakShape;
  readonly ids: string[] = [];
  readonly balance: Float64Array;
  readonly nodeOf: Int32Array;
  readonly notes: string[] = [];
  readonly tags: string[][] = [];
  readonly nodeNames: string[] = [];
  /** Accounts (by slot) on each node (by index into nodeNames). */
  readonly members: Set<number>[] = [];
  /** The tag pool, as a ring: `poolNext` is the oldest, retired next. */
  readonly pool: string[] = [];
  readonly holders = new Map<string, Set<number>>();
  /** Slots whose rows a transaction touched, checked against the store after a refused one. */
  readonly touched = new Set<number>();
  /** Strings a refused transaction made up: afterwards no version may know them. */
  readonly fresh: { domain: string; value: string }[] = [];
  poolNext = 0;
  draining = -1;
  #nextAccount = 0;
  #nextNode = 0;
  #nextTag = 0;
  #undo: (() => void)[] | null = null;
  readonly #rand: (n: number) => number;

  constructor(shape: SoakShape, rand: (n: number) => number) {
    this.shape = shape;
    this.#rand = rand;
    this.balance = new Float64Array(shape.accounts);
    this.nodeOf = new Int32Array(shape.accounts);
    for (let j = 0; j < shape.nodes; j++) {
      this.nodeNames.push(this.#newNodeName());
      this.members.push(new Set());
    }
    for (let k = 0; k < shape.tagPool; k++) {
      const tag = this.#newTagName();
      this.pool.push(tag);
      this.holders.set(tag, new Set());
    }
    for (let s = 0; s < shape.accounts; s++) {
      this.ids.push(this.#newAccountId());
      this.balance[s] = shape.initialBalance;
      this.nodeOf[s] = s % shape.nodes;
      this.members[s % shape.nodes]!.add(s);
      this.notes.push(makeNote(rand(shape.maxNote + 1), rand(1000)));
      const tags = this.#randomTags();
      this.tags.push(tags);
      for (const t of tags) this.holders.get(t)!.add(s);
    }
  }

  /** The sum every version's balances must have. */
  get total(): number {
    return this.shape.accounts * this.shape.initialBalance;
  }

  /** Emits the initial accounts `from` to `to` (and, with the first part, every node). */
  load(sink: Sink, from: number, to: number): void {
    if (from === 0) {
      for (let j = 0; j < this.shape.nodes; j++)
        sink.insert('nodes', { id: this.nodeNames[j]!, count: this.members[j]!.size });
    }
    for (let s = from; s < to; s++) {
      sink.insert('accounts', {
        id: this.ids[s]!,
        balance: this.balance[s]!,
        node: this.nodeNames[this.nodeOf[s]!]!,
        note: this.notes[s]!,
        tags: this.tags[s]!,
      });
    }
  }

  /** Starts recording undo steps: a transaction that is meant to fail follows. */
  begin(): void {
    this.#undo = [];
    this.touched.clear();
    this.fresh.length = 0;
  }

  /** Undoes every change since `begin()`. */
  rollback(): void {
    const undo = this.#undo!;
    this.#undo = null;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
  }

  /** Stops recording: the transaction committed. */
  commit(): void {
    this.#undo = null;
  }

  // --- Operations: each emits its effects into `sink` and changes the mirror the same way. When
  // `tx` is the live transaction, the operation also reads the store through it and checks the
  // mirror, so the write path's reads are exercised too.

  /** Moves an amount between two accounts, requiring the source's balance to be what we know. */
  transfer(sink: Sink, tx: Transaction | null): void {
    const r = this.#rand;
    const a = r(this.shape.accounts);
    let b = r(this.shape.accounts - 1);
    if (b >= a) b++;
    const have = this.balance[a]!;
    if (have === 0) {
      this.note(sink);
      return;
    }
    const amount = 1 + r(Math.min(have, 1000));
    if (tx === null) sink.require('accounts', this.ids[a]!, { column: 'balance', equals: have });
    else expectBalance(tx, this.ids[a]!, have);
    sink.increment('accounts', this.ids[a]!, 'balance', -amount);
    sink.increment('accounts', this.ids[b]!, 'balance', amount);
    this.#setBalance(a, have - amount);
    this.#setBalance(b, this.balance[b]! + amount);
  }

  /** Moves an account to another node and moves its count with it. */
  reassign(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const from = this.nodeOf[s]!;
    const to = this.#otherNode(from);
    sink.require('accounts', this.ids[s]!, { column: 'node', equals: this.nodeNames[from]! });
    sink.update('accounts', this.ids[s]!, { node: this.nodeNames[to]! });
    sink.increment('nodes', this.nodeNames[from]!, 'count', -1);
    sink.increment('nodes', this.nodeNames[to]!, 'count', 1);
    this.#setNode(s, to);
  }

  /** Rewrites a note, longer or shorter. */
  note(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const note = makeNote(this.#rand(this.shape.maxNote + 1), this.#rand(1000));
    sink.update('accounts', this.ids[s]!, { note });
    this.#setNote(s, note);
  }

  /** Adds a tag, removes one, or replaces the whole list. */
  retag(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const id = this.ids[s]!;
    const tags = this.tags[s]!;
    const kind = this.#rand(3);
    if (kind === 0 && tags.length < this.shape.maxTags) {
      const tag = this.pool[this.#rand(this.pool.length)]!;
      if (tags.includes(tag)) return;
      sink.listAdd('accounts', id, 'tags', tag);
      this.#setTags(s, [...tags, tag]);
    } else if (kind === 1 && tags.length > 0) {
      const tag = tags[this.#rand(tags.length)]!;
      sink.listRemove('accounts', id, 'tags', tag);
      this.#setTags(
        s,
        tags.filter((t) => t !== tag),
      );
    } else {
      const next = this.#randomTags();
      sink.update('accounts', id, { tags: next });
      this.#setTags(s, next);
    }
  }

  /** Closes an account and opens one under a fresh id with its balance, on some node. */
  churn(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const old = this.ids[s]!;
    const from = this.nodeOf[s]!;
    const to = this.#otherNode(-1);
    const id = this.#newAccountId();
    const note = makeNote(this.#rand(this.shape.maxNote + 1), this.#rand(1000));
    const tags = this.#randomTags();
    sink.require('accounts', old, { column: 'balance', equals: this.balance[s]! });
    sink.delete('accounts', old);
    sink.insert('accounts', { id, balance: this.balance[s]!, node: this.nodeNames[to]!, note, tags });
    if (from !== to) {
      sink.increment('nodes', this.nodeNames[from]!, 'count', -1);
      sink.increment('nodes', this.nodeNames[to]!, 'count', 1);
    }
    this.#setId(s, id);
    this.#setNode(s, to);
    this.#setNote(s, note);
    this.#setTags(s, tags);
  }

  /**
   * One step of draining a node: moves up to `step` of its accounts elsewhere; once it is empty,
   * replaces it by a node with a fresh name, so node names die and the domain compacts.
   */
  drain(sink: Sink, step: number): void {
    if (this.draining < 0) this.draining = this.#rand(this.shape.nodes);
    const j = this.draining;
    const name = this.nodeNames[j]!;
    const moved = [...this.members[j]!].slice(0, step);
    const gained = new Map<number, number>();
    for (const s of moved) {
      const to = this.#otherNode(j);
      sink.update('accounts', this.ids[s]!, { node: this.nodeNames[to]! });
      gained.set(to, (gained.get(to) ?? 0) + 1);
      this.#setNode(s, to);
    }
    if (moved.length > 0) sink.increment('nodes', name, 'count', -moved.length);
    for (const [to, n] of gained) sink.increment('nodes', this.nodeNames[to]!, 'count', n);
    if (this.members[j]!.size === 0) {
      const fresh = this.#newNodeName();
      sink.require('nodes', name, { column: 'count', equals: 0 });
      sink.delete('nodes', name);
      sink.insert('nodes', { id: fresh, count: 0 });
      this.#replaceNode(j, fresh);
    }
  }

  /** Retires the oldest tag: removes it from every account that has it, and adds a fresh one. */
  retireTag(sink: Sink): void {
    const old = this.pool[this.poolNext]!;
    for (const s of [...this.holders.get(old)!]) {
      sink.listRemove('accounts', this.ids[s]!, 'tags', old);
      this.#setTags(
        s,
        this.tags[s]!.filter((t) => t !== old),
      );
    }
    this.#replaceTag(this.poolNext, this.#newTagName());
  }

  // --- Transactions that must fail and change nothing. Each returns what it expects to be thrown.

  /** A transfer whose precondition names a balance the source does not have. */
  staleTransfer(sink: Sink): void {
    const a = this.#rand(this.shape.accounts);
    const b = (a + 1) % this.shape.accounts;
    this.touched.add(a).add(b);
    sink.increment('accounts', this.ids[b]!, 'balance', 5);
    sink.require('accounts', this.ids[a]!, { column: 'balance', equals: this.balance[a]! + 1 });
    sink.increment('accounts', this.ids[a]!, 'balance', -5);
  }

  /** A transfer of more than the source has, refused by the write callback after crediting. */
  overdraft(tx: Transaction): void {
    const a = this.#rand(this.shape.accounts);
    const b = (a + 7) % this.shape.accounts;
    this.touched.add(a).add(b);
    const amount = this.balance[a]! + 1 + this.#rand(100);
    tx.increment('accounts', this.ids[b]!, 'balance', amount);
    const have = Number(tx.get('accounts', this.ids[a]!, BALANCE)!.balance);
    if (have < amount) throw new Refused(`${this.ids[a]} has ${have}, cannot give ${amount}`);
    tx.increment('accounts', this.ids[a]!, 'balance', -amount);
  }

  /** Closes an account and opens one under an id that is taken: DUPLICATE_KEY after the delete. */
  duplicateOpen(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const taken = this.ids[(s + 1) % this.shape.accounts]!;
    this.touched.add(s).add((s + 1) % this.shape.accounts);
    sink.delete('accounts', this.ids[s]!);
    sink.insert('accounts', {
      id: taken,
      balance: this.balance[s]!,
      node: this.nodeNames[this.nodeOf[s]!]!,
      note: 'x',
      tags: [this.#newTagName()],
    });
  }

  /** A reassignment that requires the account to be on a node it is not on. */
  wrongNode(sink: Sink): void {
    const s = this.#rand(this.shape.accounts);
    const other = this.#otherNode(this.nodeOf[s]!);
    this.touched.add(s);
    sink.increment('nodes', this.nodeNames[other]!, 'count', 1);
    sink.require('accounts', this.ids[s]!, { column: 'node', equals: this.nodeNames[other]! });
  }

  /** Valid operations with fresh strings everywhere, then a refusal: the whole lot must vanish. */
  regret(tx: Transaction): void {
    for (let k = 0; k < 4; k++) {
      this.churn(tx);
      this.retag(tx);
      this.transfer(tx, tx);
    }
    this.drain(tx, 8);
    this.retireTag(tx);
    throw new Refused('changed my mind');
  }

  /**
   * Differences between `snap` and the mirror, for the accounts in `slots` (all if null) and every
   * node; empty when they agree.
   */
  diff(snap: Snapshot, slots: Iterable<number> | null): string[] {
    const out: string[] = [];
    const say = (m: string) => {
      if (out.length < 20) out.push(m);
    };
    if (snap.count('accounts') !== this.shape.accounts)
      say(`accounts has ${snap.count('accounts')} rows, mirror ${this.shape.accounts}`);
    if (snap.count('nodes') !== this.shape.nodes)
      say(`nodes has ${snap.count('nodes')} rows, mirror ${this.shape.nodes}`);
    for (let j = 0; j < this.shape.nodes; j++) {
      const row = snap.get('nodes', this.nodeNames[j]!);
      if (row?.count !== this.members[j]!.size)
        say(`node ${this.nodeNames[j]}: ${JSON.stringify(row)}, mirror ${this.members[j]!.size}`);
    }
    const check = (s: number) => {
      const row = snap.get('accounts', this.ids[s]!);
      if (
        row === null ||
        Number(row.balance) !== this.balance[s] ||
        row.node !== this.nodeNames[this.nodeOf[s]!] ||
        row.note !== this.notes[s] ||
        !sameList(row.tags as string[], this.tags[s]!)
      ) {
        say(`account ${this.ids[s]} (slot ${s}): store ${describeRow(row)}, mirror ${this.#describe(s)}`);
      }
    };
    if (slots === null) for (let s = 0; s < this.shape.accounts; s++) check(s);
    else for (const s of slots) check(s);
    return out;
  }

  #describe(s: number): string {
    return `balance ${this.balance[s]} node ${this.nodeNames[this.nodeOf[s]!]} tags ${this.tags[s]!.join(',')} note ${this.notes[s]!.slice(0, 20)}`;
  }

  #otherNode(not: number): number {
    for (;;) {
      const j = this.#rand(this.shape.nodes);
      if (j !== not && j !== this.draining) return j;
    }
  }

  #randomTags(): string[] {
    const n = this.#rand(this.shape.maxTags + 1);
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      const tag = this.pool[this.#rand(this.pool.length)]!;
      if (!out.includes(tag)) out.push(tag);
    }
    return out;
  }

  #newAccountId(): string {
    return this.#made('account', `acct-${(this.#nextAccount++).toString(36).padStart(6, '0')}`);
  }

  #newNodeName(): string {
    return this.#made('node', `node-${this.#nextNode++}`);
  }

  #newTagName(): string {
    return this.#made('tag', `tag-${this.#nextTag++}`);
  }

  #made(domain: string, value: string): string {
    if (this.#undo !== null) this.fresh.push({ domain, value });
    return value;
  }

  // --- Mirror changes, each undoable.

  #log(step: () => void): void {
    this.#undo?.push(step);
  }

  #setBalance(s: number, value: number): void {
    const was = this.balance[s]!;
    this.touched.add(s);
    this.#log(() => {
      this.balance[s] = was;
    });
    this.balance[s] = value;
  }

  #setNode(s: number, j: number): void {
    const was = this.nodeOf[s]!;
    this.touched.add(s);
    this.#log(() => this.#moveMember(s, j, was));
    this.#moveMember(s, was, j);
  }

  #moveMember(s: number, from: number, to: number): void {
    this.members[from]!.delete(s);
    this.members[to]!.add(s);
    this.nodeOf[s] = to;
  }

  #setNote(s: number, note: string): void {
    const was = this.notes[s]!;
    this.touched.add(s);
    this.#log(() => {
      this.notes[s] = was;
    });
    this.notes[s] = note;
  }

  #setTags(s: number, tags: string[]): void {
    const was = this.tags[s]!;
    this.touched.add(s);
    this.#log(() => this.#placeTags(s, tags, was));
    this.#placeTags(s, was, tags);
  }

  #placeTags(s: number, from: string[], to: string[]): void {
    for (const t of from) this.holders.get(t)?.delete(s);
    for (const t of to) this.holders.get(t)!.add(s);
    this.tags[s] = to;
  }

  #setId(s: number, id: string): void {
    const was = this.ids[s]!;
    this.#log(() => {
      this.ids[s] = was;
    });
    this.ids[s] = id;
  }

  #replaceNode(j: number, name: string): void {
    const was = this.nodeNames[j]!;
    const draining = this.draining;
    this.#log(() => {
      this.nodeNames[j] = was;
      this.draining = draining;
    });
    this.nodeNames[j] = name;
    this.draining = -1;
  }

  #replaceTag(k: number, tag: string): void {
    const was = this.pool[k]!;
    const wasHolders = this.holders.get(was)!;
    this.#log(() => {
      this.holders.delete(tag);
      this.holders.set(was, wasHolders);
      this.pool[k] = was;
      this.poolNext = k;
    });
    this.holders.delete(was);
    this.holders.set(tag, new Set());
    this.pool[k] = tag;
    this.poolNext = (k + 1) % this.pool.length;
  }
}

const BALANCE = ['balance'] as const;

function expectBalance(tx: Transaction, id: string, have: number): void {
  const row = tx.get('accounts', id, BALANCE);
  if (row === null || Number(row.balance) !== have) {
    throw new Error(`the transaction reads ${id} as ${describeRow(row)}, the mirror says balance ${have}`);
  }
}

function sameList(a: readonly string[] | null, b: readonly string[]): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describeRow(row: Record<string, unknown> | null): string {
  return JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? Number(v) : v))?.slice(0, 200) ?? 'null';
}

/** Starts a batch: re-exported so the harness takes both sinks from one place. */
export { batch };
