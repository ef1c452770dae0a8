import { StateError } from '../errors.js';
import type { SegmentViews } from '../memory/segments.js';
import {
  decodeCode,
  HASH_ENTRY_BYTES,
  HASH_ENTRY_WORDS,
  lookupHashed,
  MAX_CODES,
  SLOT_CODE_BITS,
  slotTag,
} from './domain.js';
import { internFresh } from './domain-bulk.js';
import {
  D_BYTE_LENGTH,
  D_BYTES_BIRTH,
  D_BYTES_CAP,
  D_BYTES_OFF,
  D_BYTES_SEG,
  D_EPOCH,
  D_HASH_BIRTH,
  D_HASH_CAP,
  D_HASH_COUNT,
  D_HASH_OFF,
  D_HASH_SEG,
  D_LENGTH,
  D_OFF_BIRTH,
  D_OFF_CAP,
  D_OFF_OFF,
  D_OFF_SEG,
  DOMAIN_WORDS,
  type DomainLayout,
  offOf,
  packRef,
  segOf,
} from './layout.js';
import type { StringCache } from './string-cache.js';
import { hashBytes, hashBytesKey, hashKey, KeyBytes, utf8Length, writeUtf8 } from './utf8.js';

const decoder = new TextDecoder();

/** What a domain needs from the transaction that changes it. */
export interface BlockOps {
  /** The version the transaction will publish. */
  readonly version: number;
  get(seg: number): SegmentViews;
  alloc(bytes: number): number;
  /** Gives up a block: freed at commit if born in this transaction, else retired. */
  drop(ref: number, bytes: number, birth: number): void;
  copy(from: number, to: number, bytes: number): void;
  /** Records an in-place write of hash slot `index` (an Int32 index) of a published block. */
  wroteSlot(seg: number, index: number): void;
}

/** A domain's state before an operation's interning, to roll back to (see TxDomain.rollback). */
export interface DomainMark {
  readonly length: number;
  readonly byteLength: number;
  readonly hashSeg: number;
  readonly hashOff: number;
}

/** The bytes of the string being interned (a transaction runs in one thread, one op at a time). */
const internKey = new KeyBytes();

const MIN_CODES = 256;
const MIN_BYTES = 4096;
const MIN_SLOTS = 64;

/**
 * A dictionary domain inside a transaction: the words of its root entry, made mutable, and the
 * append-only writes that intern new strings. Offsets and bytes past the published length are
 * invisible to every version, so they are written in place until a block is full; then it is
 * copied into a larger block and the old one retired (older versions keep reading it).
 */
export class TxDomain {
  readonly layout: DomainLayout;
  /** Whether the transaction changed the domain's words (added strings, or replaced a block). */
  dirty = false;
  /** Strings committed before this transaction: codes below it may be cached. */
  committed = 0;
  #rebuilt = false;
  /**
   * Where the domain's root entry is read: the published root's words until the transaction first
   * changes the domain, then its own copy. Most transactions only look strings up, and a copy per
   * domain per transaction was a measurable part of a single-row write.
   */
  #f64: Float64Array = new Float64Array(0);
  #w = 0;
  readonly #own = new Float64Array(DOMAIN_WORDS);
  #owned = false;

  /** One per domain and writer: `start` points it at each transaction's root. */
  constructor(layout: DomainLayout) {
    this.layout = layout;
  }

  /** Begins a transaction whose root holds this domain's entry at `root[w...]`. */
  start(root: Float64Array, w: number): void {
    this.#f64 = root;
    this.#w = w;
    this.#owned = false;
    this.#rebuilt = false;
    this.dirty = false;
    this.committed = root[w + D_LENGTH]!;
    this.#missed = null;
  }

  /** The domain's root entry as this transaction leaves it (its own copy from the first change). */
  get words(): Float64Array {
    if (!this.#owned) {
      this.#own.set(this.#f64.subarray(this.#w, this.#w + DOMAIN_WORDS));
      this.#f64 = this.#own;
      this.#w = 0;
      this.#owned = true;
    }
    return this.#own;
  }

  /**
   * The last string `lookup` did not find, its hash, and the domain's length and epoch then. An
   * insert looks a new key up (is it a duplicate?) and then interns it; while the domain holds the
   * same strings (same length and epoch: strings are only appended, or all renumbered by a rebuild
   * that bumps the epoch, and an undone append restores the length with the content) the string is
   * still absent, so `intern` skips a second hash and probe: for a key of a million-entry domain
   * that probe is a cache miss.
   */
  #missed: string | null = null;
  #missedHash = 0;
  #missedLength = -1;
  #missedEpoch = -1;

  /** The code of `s`, or -1 if the domain does not hold it. */
  lookup(src: { get(seg: number): SegmentViews }, s: string): number {
    const hash = hashKey(s, internKey);
    const code = lookupHashed(src, this.#f64, this.#w, s, internKey, hash);
    if (code < 0) {
      this.#missed = s;
      this.#missedHash = hash;
      this.#missedLength = this.#f64[this.#w + D_LENGTH]!;
      this.#missedEpoch = this.#f64[this.#w + D_EPOCH]!;
    }
    return code;
  }

  /**
   * `lookup` of the string whose UTF-8 encoding is `u8[start, end)`, without making it: how the
   * writer finds a submitted batch's strings in its bytes.
   */
  lookupBytes(src: { get(seg: number): SegmentViews }, u8: Uint8Array, start: number, end: number): number {
    // The bytes are in internKey (hashBytesKey always fills them), so the probe needs no string,
    // as in internBytes.
    const hash = hashBytesKey(u8, start, end, internKey);
    return lookupHashed(src, this.#f64, this.#w, '', internKey, hash);
  }

  /** The string of `code`. */
  decode(src: { get(seg: number): SegmentViews }, code: number, cache: StringCache): string {
    // A code this transaction interned may be reused for another string if it aborts; and a
    // rebuilt domain's codes are not committed yet: neither may enter the cache.
    if (code < this.committed && !this.#rebuilt)
      return cache.decode(src, this.#f64, this.#w, this.layout.index, code);
    return decodeCode(src, this.#f64, this.#w, code);
  }

  /** Number of strings, with this transaction's. */
  get length(): number {
    return this.#f64[this.#w + D_LENGTH]!;
  }

  /** The code of `s`, adding it to the domain if it is new. */
  intern(ops: BlockOps, s: string): number {
    let hash: number;
    let n: number;
    if (
      s === this.#missed &&
      this.#missedLength === this.#f64[this.#w + D_LENGTH] &&
      this.#missedEpoch === this.#f64[this.#w + D_EPOCH]
    ) {
      // Known absent (see #missed): its hash was kept.
      hash = this.#missedHash;
      n = utf8Length(s);
    } else {
      // One hash serves the lookup and, for a new string, its entry.
      hash = hashKey(s, internKey);
      const found = lookupHashed(ops, this.#f64, this.#w, s, internKey, hash);
      if (found >= 0) return found;
      // hashKey measured an ASCII string (its own UTF-8); others are counted.
      n = internKey.length >= 0 ? internKey.length : utf8Length(s);
    }
    this.#missed = null;
    const at = this.#room(ops, n, s, null, 0);
    const w = this.#own;
    writeUtf8(s, ops.get(w[D_BYTES_SEG]!).u8, w[D_BYTES_OFF]! + at, n);
    return this.#added(ops, hash, at, n);
  }

  /**
   * The code of the string whose UTF-8 encoding is `u8[start, end)`, adding it if it is new: no
   * JavaScript string is made, which is what loading dictionary-encoded Arrow data wants.
   */
  internBytes(ops: BlockOps, u8: Uint8Array, start: number, end: number): number {
    const hash = hashBytesKey(u8, start, end, internKey);
    const found = lookupHashed(ops, this.#f64, this.#w, '', internKey, hash);
    if (found >= 0) return found;
    const n = end - start;
    const at = this.#room(ops, n, null, u8, start);
    const w = this.#own;
    ops.get(w[D_BYTES_SEG]!).u8.set(u8.subarray(start, end), w[D_BYTES_OFF]! + at);
    return this.#added(ops, hash, at, n);
  }

  /** Where the domain stands now, to `rollback` to: its length, byte length and hash index. */
  mark(): DomainMark {
    const w = this.#f64;
    const at = this.#w;
    return {
      length: w[at + D_LENGTH]!,
      byteLength: w[at + D_BYTE_LENGTH]!,
      hashSeg: w[at + D_HASH_SEG]!,
      hashOff: w[at + D_HASH_OFF]!,
    };
  }

  /**
   * Forgets the strings interned since `m`, for an operation that interned as it checked its input
   * and then found it bad: the operation then leaves the domain as it found it.
   *
   * Why emptying their hash entries is safe: every entry emptied holds a code of this transaction,
   * which no reader considers (see domain.ts), and its slot was empty in every published version, so
   * no published string's probe sequence passes through it. Among the entries of this transaction,
   * the newest go first: an entry made before `m` never probed past a slot that a later one took,
   * so emptying only later ones, newest first, breaks no probe sequence that remains. When the
   * index was rebuilt since `m` (it grew), its entries are in another order: it is built again from
   * the strings that remain. The offsets and bytes past the restored lengths are invisible.
   */
  rollback(ops: BlockOps, m: DomainMark): void {
    const w = this.words;
    const length = w[D_LENGTH]!;
    if (length === m.length) return;
    this.#missed = null;
    w[D_LENGTH] = m.length;
    w[D_BYTE_LENGTH] = m.byteLength;
    if (w[D_HASH_SEG] !== m.hashSeg || w[D_HASH_OFF] !== m.hashOff) {
      this.#rehash(ops, w[D_HASH_CAP]!, true);
      return;
    }
    const slots = ops.get(w[D_HASH_SEG]!).i32;
    const base = w[D_HASH_OFF]! >> 2;
    const mask = w[D_HASH_CAP]! - 1;
    const offsets = ops.get(w[D_OFF_SEG]!).i32;
    const ob = w[D_OFF_OFF]! >> 2;
    const bytes = ops.get(w[D_BYTES_SEG]!).u8;
    const bb = w[D_BYTES_OFF]!;
    for (let code = length - 1; code >= m.length; code--) {
      const hash = hashBytes(bytes, bb + offsets[ob + code]!, bb + offsets[ob + code + 1]!);
      let i = hash & mask;
      while ((slots[base + i * HASH_ENTRY_WORDS]! & MAX_CODES) !== code + 1) i = (i + 1) & mask;
      const e = base + i * HASH_ENTRY_WORDS;
      Atomics.store(slots, e, 0);
      slots[e + 1] = 0;
      slots[e + 2] = 0;
      slots[e + 3] = 0;
      w[D_HASH_COUNT]!--;
    }
  }

  /**
   * Whether `internFresh` may fill this domain: it is empty, and its hash index was made by this
   * transaction (so no reader sees its slots), with room for `strings` more strings of `bytes` UTF-8
   * bytes in all without growing anything.
   */
  canFillFresh(ops: BlockOps, strings: number, bytes: number): boolean {
    const w = this.#f64;
    const at = this.#w;
    return (
      this.#owned &&
      // internFresh numbers the strings provisionally in a slot's code bits.
      strings <= MAX_CODES &&
      w[at + D_BYTES_SEG]! >= 0 &&
      w[at + D_BYTES_CAP]! >= bytes &&
      w[at + D_LENGTH] === 0 &&
      w[at + D_HASH_COUNT] === 0 &&
      w[at + D_HASH_SEG]! >= 0 &&
      w[at + D_HASH_BIRTH] === ops.version &&
      w[at + D_HASH_CAP]! >= strings * 2 &&
      w[at + D_OFF_CAP]! > strings
    );
  }

  /** Fills this empty domain at once (see `internFresh`; check `canFillFresh` first); the strings added. */
  fillFresh(
    ops: BlockOps,
    u8: Uint8Array,
    offsets: Int32Array,
    picks: Int32Array,
    n: number,
    codes: Int32Array,
  ): number {
    this.#missed = null;
    const added = internFresh(ops, this.words, u8, offsets, picks, n, codes);
    if (added > 0) this.dirty = true;
    return added;
  }

  /**
   * Makes room for `strings` more strings of `bytes` UTF-8 bytes in all at once, so that interning
   * many (a bulk load) grows each block, and rebuilds the hash index, once instead of by doubling.
   */
  reserve(ops: BlockOps, strings: number, bytes: number): void {
    const w = this.words;
    const codes = w[D_LENGTH]! + strings;
    this.#ensureOffsets(ops, codes + 1);
    this.#ensureBytes(ops, w[D_BYTE_LENGTH]! + bytes);
    let slots = Math.max(MIN_SLOTS, w[D_HASH_CAP]!);
    while (slots < codes * 2) slots *= 2;
    if (w[D_HASH_SEG]! < 0 || slots > w[D_HASH_CAP]!) this.#rehash(ops, slots, false);
  }

  /**
   * Room for one more string of `n` bytes; returns the byte offset to write it at. The string is
   * `s`, or the bytes at `u8[start...]`: named only in the error when the domain is full (a
   * closure to make it, per string interned, was garbage for every insert).
   */
  #room(ops: BlockOps, n: number, s: string | null, u8: Uint8Array | null, start: number): number {
    const w = this.words;
    const code = w[D_LENGTH]!;
    if (code >= MAX_CODES) {
      throw new StateError(
        'OUT_OF_RANGE',
        `dictionary domain ${this.layout.name} is full: it holds ${code} strings, the most a domain can`,
        { value: s ?? decoder.decode(u8!.subarray(start, start + n)) },
      );
    }
    const byteLength = w[D_BYTE_LENGTH]!;
    this.#ensureOffsets(ops, code + 2);
    this.#ensureBytes(ops, byteLength + n);
    return byteLength;
  }

  /** Publishes (to this transaction) the string of `n` bytes just written at byte `at`; its code. */
  #added(ops: BlockOps, hash: number, at: number, n: number): number {
    const w = this.#own;
    const code = w[D_LENGTH]!;
    ops.get(w[D_OFF_SEG]!).i32[(w[D_OFF_OFF]! >> 2) + code + 1] = at + n;
    w[D_LENGTH] = code + 1;
    w[D_BYTE_LENGTH] = at + n;
    this.dirty = true;
    const cap = w[D_HASH_CAP]!;
    if (w[D_HASH_SEG]! < 0 || (w[D_HASH_COUNT]! + 1) * 2 > cap)
      this.#rehash(ops, Math.max(MIN_SLOTS, cap * 2), false);
    this.#insert(ops, code, hash, at, at + n);
    return code;
  }

  /**
   * Rewrites the domain keeping only the codes that `remap` maps (old code to new, -1 for a dead
   * string), in new blocks: versions before keep reading the old ones until they are reclaimed.
   */
  rebuild(ops: BlockOps, remap: Int32Array, live: number): void {
    const w = this.words;
    const offsets = ops.get(w[D_OFF_SEG]!).i32;
    const ob = w[D_OFF_OFF]! >> 2;
    const bytes = ops.get(w[D_BYTES_SEG]!).u8;
    const bb = w[D_BYTES_OFF]!;
    let total = 0;
    for (let code = 0; code < remap.length; code++) {
      if (remap[code]! >= 0) total += offsets[ob + code + 1]! - offsets[ob + code]!;
    }
    const offCap = Math.max(MIN_CODES, live + 1 + (live >> 1));
    const byteCap = Math.max(MIN_BYTES, total + (total >> 1));
    const offRef = ops.alloc(offCap * 4);
    const byteRef = ops.alloc(byteCap);
    const newOffsets = ops.get(segOf(offRef)).i32;
    const nob = offOf(offRef) >> 2;
    const newBytes = ops.get(segOf(byteRef)).u8;
    const nbb = offOf(byteRef);
    let at = 0;
    newOffsets[nob] = 0;
    for (let code = 0; code < remap.length; code++) {
      const to = remap[code]!;
      if (to < 0) continue;
      const start = offsets[ob + code]!;
      const end = offsets[ob + code + 1]!;
      newBytes.set(bytes.subarray(bb + start, bb + end), nbb + at);
      at += end - start;
      newOffsets[nob + to + 1] = at;
    }
    ops.drop(packRef(w[D_OFF_SEG]!, w[D_OFF_OFF]!), w[D_OFF_CAP]! * 4, w[D_OFF_BIRTH]!);
    ops.drop(packRef(w[D_BYTES_SEG]!, w[D_BYTES_OFF]!), w[D_BYTES_CAP]!, w[D_BYTES_BIRTH]!);
    w[D_OFF_SEG] = segOf(offRef);
    w[D_OFF_OFF] = offOf(offRef);
    w[D_OFF_BIRTH] = ops.version;
    w[D_OFF_CAP] = offCap;
    w[D_BYTES_SEG] = segOf(byteRef);
    w[D_BYTES_OFF] = offOf(byteRef);
    w[D_BYTES_BIRTH] = ops.version;
    w[D_BYTES_CAP] = byteCap;
    w[D_LENGTH] = live;
    w[D_BYTE_LENGTH] = at;
    w[D_EPOCH] = w[D_EPOCH]! + 1;
    this.#rebuilt = true;
    let slots = MIN_SLOTS;
    while (slots < live * 2) slots *= 2;
    this.#rehash(ops, slots, true);
    this.dirty = true;
  }

  #ensureOffsets(ops: BlockOps, entries: number): void {
    const w = this.words;
    const cap = w[D_OFF_CAP]!;
    if (w[D_OFF_SEG]! >= 0 && cap >= entries) return;
    const newCap = Math.max(entries, cap * 2, MIN_CODES);
    const ref = ops.alloc(newCap * 4);
    // New blocks in the domain's words: they must be published even if no string is added (a
    // reserve for strings that all turn out known), or the old blocks, retired at commit, would be
    // freed while the root still names them.
    this.dirty = true;
    if (w[D_OFF_SEG]! >= 0) {
      const old = packRef(w[D_OFF_SEG]!, w[D_OFF_OFF]!);
      ops.copy(old, ref, (w[D_LENGTH]! + 1) * 4);
      ops.drop(old, cap * 4, w[D_OFF_BIRTH]!);
    } else {
      ops.get(segOf(ref)).i32[offOf(ref) >> 2] = 0;
    }
    w[D_OFF_SEG] = segOf(ref);
    w[D_OFF_OFF] = offOf(ref);
    w[D_OFF_BIRTH] = ops.version;
    w[D_OFF_CAP] = newCap;
  }

  #ensureBytes(ops: BlockOps, bytes: number): void {
    const w = this.words;
    const cap = w[D_BYTES_CAP]!;
    if (w[D_BYTES_SEG]! >= 0 && cap >= bytes) return;
    const newCap = Math.max(bytes, cap * 2, MIN_BYTES);
    const ref = ops.alloc(newCap);
    this.dirty = true; // as in #ensureOffsets
    if (w[D_BYTES_SEG]! >= 0) {
      const old = packRef(w[D_BYTES_SEG]!, w[D_BYTES_OFF]!);
      ops.copy(old, ref, w[D_BYTE_LENGTH]!);
      ops.drop(old, cap, w[D_BYTES_BIRTH]!);
    }
    w[D_BYTES_SEG] = segOf(ref);
    w[D_BYTES_OFF] = offOf(ref);
    w[D_BYTES_BIRTH] = ops.version;
    w[D_BYTES_CAP] = newCap;
  }

  /** Puts `code`, whose bytes are at [start, end), in the first empty entry of its probe sequence. */
  #insert(ops: BlockOps, code: number, hash: number, start: number, end: number): void {
    const w = this.words;
    const seg = w[D_HASH_SEG]!;
    const slots = ops.get(seg).i32;
    const base = w[D_HASH_OFF]! >> 2;
    const mask = w[D_HASH_CAP]! - 1;
    let i = hash & mask;
    while (slots[base + i * HASH_ENTRY_WORDS] !== 0) i = (i + 1) & mask;
    const e = base + i * HASH_ENTRY_WORDS;
    // The entry's other words first: a reader that sees the slot's code (and whose version
    // includes it) reads them only after this store, which publication orders after them.
    slots[e + 1] = start;
    slots[e + 2] = end;
    slots[e + 3] = hash;
    // One atomic Int32 store: a concurrent reader sees the slot empty or holding the whole code.
    Atomics.store(slots, e, (slotTag(hash) << SLOT_CODE_BITS) | (code + 1));
    if (w[D_HASH_BIRTH] !== ops.version) ops.wroteSlot(seg, e);
    w[D_HASH_COUNT]!++;
  }

  /**
   * Builds a new hash index of `cap` entries (a new block; readers of older versions keep the old
   * one until it is reclaimed). It takes the old index's entries over with their stored hashes,
   * reading no string bytes; or, after a rebuild renumbered the codes (`fromOffsets`), indexes
   * every code of the offsets afresh.
   */
  #rehash(ops: BlockOps, cap: number, fromOffsets: boolean): void {
    const w = this.words;
    const ref = ops.alloc(cap * HASH_ENTRY_BYTES);
    this.dirty = true; // as in #ensureOffsets
    const seg = segOf(ref);
    const slots = ops.get(seg).i32;
    const base = offOf(ref) >> 2;
    slots.fill(0, base, base + cap * HASH_ENTRY_WORDS);
    const oldSeg = w[D_HASH_SEG]!;
    const oldOff = w[D_HASH_OFF]!;
    const oldCap = w[D_HASH_CAP]!;
    const oldBirth = w[D_HASH_BIRTH]!;
    w[D_HASH_SEG] = seg;
    w[D_HASH_OFF] = offOf(ref);
    w[D_HASH_BIRTH] = ops.version;
    w[D_HASH_CAP] = cap;
    w[D_HASH_COUNT] = 0;
    if (fromOffsets) {
      const offsets = ops.get(w[D_OFF_SEG]!).i32;
      const ob = w[D_OFF_OFF]! >> 2;
      const bytes = ops.get(w[D_BYTES_SEG]!).u8;
      const bb = w[D_BYTES_OFF]!;
      for (let code = 0; code < w[D_LENGTH]!; code++) {
        const start = offsets[ob + code]!;
        const end = offsets[ob + code + 1]!;
        this.#insert(ops, code, hashBytes(bytes, bb + start, bb + end), start, end);
      }
    } else if (oldSeg >= 0) {
      // Every entry of the current index is a live code: an aborted write's were emptied.
      const old = ops.get(oldSeg).i32;
      const ob = oldOff >> 2;
      for (let e = ob; e < ob + oldCap * HASH_ENTRY_WORDS; e += HASH_ENTRY_WORDS) {
        const v = old[e]!;
        if (v !== 0) this.#insert(ops, (v & MAX_CODES) - 1, old[e + 3]! >>> 0, old[e + 1]!, old[e + 2]!);
      }
    }
    if (oldSeg >= 0) ops.drop(packRef(oldSeg, oldOff), oldCap * HASH_ENTRY_BYTES, oldBirth);
  }
}
