import { threadId } from 'node:worker_threads';
import { StateError } from '../errors.js';
import type { Control } from './control.js';
import { DROOT_INDEX, W_DROOT_OFF, W_DROOT_SEG, W_DROOT_SEQ, W_SLOT_HWM } from './control.js';

/** The tag a thread writes into the slots it owns: its thread id plus one, so 0 means free. */
export const THREAD_TAG = threadId + 1;

/** Where in a pin attempt a {@link setPinRaceHook} hook runs. */
export type PinRaceStage = 'loaded' | 'stored';

/** The test hook of PinTable.pin, or null (always, outside tests). */
let raceHook: ((stage: PinRaceStage, version: number) => void) | null = null;

/**
 * @internal For tests only: calls `hook` inside every pin attempt of this thread, with the version
 * the attempt loaded: at 'loaded', after the first version load and before the slot store (a writer
 * that commits and scans here cannot see the slot); at 'stored', after the slot store and before the
 * ring entry is read and the version loaded again. A hook that writes there makes the race that the
 * second load exists for happen every time. Pass null to remove it. When unset, a pin pays one
 * load and compare of a module variable per stage.
 */
export function setPinRaceHook(hook: ((stage: PinRaceStage, version: number) => void) | null): void {
  raceHook = hook;
}

/** One pinned version of this thread: shared by every snapshot of that version in the thread. */
export interface Pin {
  /** The pinned version. */
  readonly version: number;
  /** The reader slot that holds it; -1 once the store was closed in this thread. */
  slot: number;
  /** Segment and byte offset of the version's root block. */
  readonly rootSeg: number;
  readonly rootOff: number;
  /** Snapshots of this thread that use the pin. */
  count: number;
}

/**
 * A thread's side of the reader-slot table (LMDB's reader table, in a SharedArrayBuffer).
 *
 * Pinning never waits: load the version V, store V in an owned slot, read the root of V from the
 * ring, and load the version again. If it still reads V, the pin is safe: the writer stores each new
 * version before it scans the slots, so in the single total order of these sequentially consistent
 * operations either the writer's scan comes after our slot store (it sees V and keeps V's blocks) or
 * its version store comes before our second load (we see the move and retry). The ring entry of V
 * is rewritten only when the writer prepares V + ringSize, which it does after publishing V + 1, so
 * an entry read between two loads that both return V is V's.
 */
export class PinTable {
  readonly #ctl: Control;
  readonly #owned: number[] = [];
  /** This thread's pins, few at a time: a short array beats a Map here. */
  readonly #pins: Pin[] = [];

  constructor(ctl: Control) {
    this.#ctl = ctl;
  }

  /** Pins the newest version, or adds a use to this thread's pin of it. */
  pin(): Pin {
    const { i32, i64, versionIndex, ringIndex, ringMask, slotIndex } = this.#ctl;
    for (;;) {
      const v = Atomics.load(i64, versionIndex);
      const version = Number(v);
      const pins = this.#pins;
      for (let i = 0; i < pins.length; i++) {
        const held = pins[i]!;
        if (held.version === version) {
          // Our slot already holds this version, so its blocks are protected; its root is cached.
          held.count++;
          return held;
        }
      }
      const slot = this.#take();
      if (raceHook !== null) raceHook('loaded', version);
      Atomics.store(i64, slotIndex + slot, v);
      if (raceHook !== null) raceHook('stored', version);
      const e = ringIndex + (version & ringMask) * 2;
      const rootSeg = i32[e]!;
      const rootOff = i32[e + 1]!;
      if (Atomics.load(i64, versionIndex) === v) {
        const pin: Pin = { version, slot, rootSeg, rootOff, count: 1 };
        pins.push(pin);
        return pin;
      }
      // The writer moved on between our loads; it may not have seen our slot. Start again.
      Atomics.store(i64, slotIndex + slot, 0n);
      this.#owned.push(slot);
    }
  }

  /**
   * Pins the durable root the writer publishes (see Control's W_DROOT_*), or returns null when none
   * is published yet. The writer holds its own pin on that version for as long as it is published,
   * and releases it only after publishing a newer one. So, step by step:
   * 1. read the sequence word (even: not being rewritten), the version and root, and the sequence
   *    again: equal means a consistent triple;
   * 2. store the version in an owned slot;
   * 3. load the sequence word again: still equal means the writer had not started publishing a
   *    newer root, so it still pinned this version when we stored ours. Its later unpin, and every
   *    reclamation scan after it (the writer's own, in its thread's order), see our slot. Otherwise
   *    clear the slot and start again.
   */
  pinDurable(): Pin | null {
    const { i32, i64, slotIndex } = this.#ctl;
    for (let spins = 0; ; ) {
      const seq = Atomics.load(i32, W_DROOT_SEQ);
      if ((seq & 1) !== 0) {
        // The writer rewrites the words in a few stores, never across a wait; an odd word that
        // stays odd means its thread died in between. Give up rather than spin forever.
        if (++spins > 1_000_000) {
          throw new StateError(
            'NOT_DURABLE',
            'the durable root is being replaced by a writer that stopped; reopen the store',
          );
        }
        continue;
      }
      const v = Atomics.load(i64, DROOT_INDEX);
      const rootSeg = Atomics.load(i32, W_DROOT_SEG);
      const rootOff = Atomics.load(i32, W_DROOT_OFF);
      if (Atomics.load(i32, W_DROOT_SEQ) !== seq) continue;
      if (v === 0n) return null;
      const version = Number(v);
      for (const held of this.#pins) {
        if (held.version === version) {
          held.count++;
          return held;
        }
      }
      const slot = this.#take();
      Atomics.store(i64, slotIndex + slot, v);
      if (Atomics.load(i32, W_DROOT_SEQ) === seq) {
        const pin: Pin = { version, slot, rootSeg, rootOff, count: 1 };
        this.#pins.push(pin);
        return pin;
      }
      Atomics.store(i64, slotIndex + slot, 0n);
      this.#owned.push(slot);
    }
  }

  /** Drops one use of `pin`; the last use clears its slot (the slot stays owned for reuse). */
  unpin(pin: Pin): void {
    if (pin.slot < 0 || --pin.count > 0) return;
    const pins = this.#pins;
    const i = pins.indexOf(pin);
    pins[i] = pins[pins.length - 1]!;
    pins.pop();
    Atomics.store(this.#ctl.i64, this.#ctl.slotIndex + pin.slot, 0n);
    this.#owned.push(pin.slot);
  }

  /** Releases every slot this table owns (on detach). */
  close(): void {
    const { i32, i64, ownerIndex, slotIndex } = this.#ctl;
    for (const pin of this.#pins) {
      this.#owned.push(pin.slot);
      // Snapshots still holding this pin see the -1 and refuse to read memory no longer protected.
      pin.slot = -1;
    }
    this.#pins.length = 0;
    for (const slot of this.#owned) {
      Atomics.store(i64, slotIndex + slot, 0n);
      Atomics.store(i32, ownerIndex + slot, 0);
    }
    this.#owned.length = 0;
  }

  #take(): number {
    const slot = this.#owned.pop();
    if (slot !== undefined) return slot;
    const { i32, ownerIndex, slotCount } = this.#ctl;
    for (let s = 0; s < slotCount; s++) {
      if (Atomics.compareExchange(i32, ownerIndex + s, 0, THREAD_TAG) === 0) {
        // Raise the scan bound before the slot can hold a pin, so a scan that misses the slot
        // happened before our pin's second version load (see the class comment).
        for (;;) {
          const hwm = Atomics.load(i32, W_SLOT_HWM);
          if (hwm > s || Atomics.compareExchange(i32, W_SLOT_HWM, hwm, s + 1) === hwm) break;
        }
        return s;
      }
    }
    throw new StateError('SLOTS_FULL', `all ${slotCount} reader slots are taken; ${describePins(this.#ctl)}`);
  }
}

/** A pinned version and the thread that pins it. */
export interface PinInfo {
  /** The pinned version. */
  version: number;
  /** The pinning thread's `threadId`. */
  threadId: number;
}

/** Every pinned version, from every thread, in slot order. Read by the writer's scans. */
export function readPins(ctl: Control): PinInfo[] {
  const { i32, i64, ownerIndex, slotIndex } = ctl;
  const out: PinInfo[] = [];
  const hwm = Atomics.load(i32, W_SLOT_HWM);
  for (let s = 0; s < hwm; s++) {
    const v = Atomics.load(i64, slotIndex + s);
    if (v !== 0n) out.push({ version: Number(v), threadId: Atomics.load(i32, ownerIndex + s) - 1 });
  }
  return out;
}

/** The pinned versions, sorted ascending and deduplicated: what reclamation must keep. */
export function pinnedVersions(ctl: Control): Float64Array {
  const { i32, i64, slotIndex } = ctl;
  const hwm = Atomics.load(i32, W_SLOT_HWM);
  const out = new Float64Array(hwm);
  let n = 0;
  for (let s = 0; s < hwm; s++) {
    const v = Atomics.load(i64, slotIndex + s);
    if (v !== 0n) out[n++] = Number(v);
  }
  return out.subarray(0, n).sort();
}

/** A sentence naming the oldest pin and its thread, for error messages. */
export function describePins(ctl: Control): string {
  const pins = readPins(ctl);
  if (pins.length === 0) return 'no version is pinned';
  let oldest = pins[0]!;
  for (const p of pins) if (p.version < oldest.version) oldest = p;
  return `${pins.length} pins are held; the oldest pins version ${oldest.version} in thread ${oldest.threadId}`;
}

/** Clears every slot owned by the thread tagged `tag`: that thread has died. Run by the owner. */
export function clearThreadSlots(ctl: Control, tag: number): number {
  const { i32, i64, ownerIndex, slotIndex } = ctl;
  const hwm = Atomics.load(i32, W_SLOT_HWM);
  let cleared = 0;
  for (let s = 0; s < hwm; s++) {
    if (Atomics.load(i32, ownerIndex + s) !== tag) continue;
    if (Atomics.load(i64, slotIndex + s) !== 0n) cleared++;
    Atomics.store(i64, slotIndex + s, 0n);
    Atomics.store(i32, ownerIndex + s, 0);
  }
  return cleared;
}
