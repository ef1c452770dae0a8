/**
 * The control block: one small SharedArrayBuffer that every attached thread maps. It holds the
 * words that coordinate threads; all data lives in arena segments.
 *
 * Layout (byte offsets):
 *   0    Int32 header words (see the `W_*` constants)
 *   64   BigInt64 version word (the newest published version, 64-bit so it never wraps)
 *   48   Int32 durable-root words (W_DROOT_*); 72: its BigInt64 version
 *   80   Int32 durability words (see the `W_WRITTEN`, `W_DURABLE`... constants)
 *   112  BigInt64 durable version word (the newest version whose log record is on disk), then
 *        the written version word (the newest version whose record the log holds, maybe unsynced)
 *   128  root ring: `ringSize` pairs of Int32 (segment, byte offset) of each recent root block
 *   ...  slot owners: Int32 per reader slot (thread tag, 0 = free)
 *   ...  slot versions: BigInt64 per reader slot (pinned version, 0 = not pinned)
 */

export const MAGIC = 0x41435331; // "ACS1"
export const LAYOUT_VERSION = 3;

/** Int32 word indexes of the header. */
export const W_MAGIC = 0;
export const W_LAYOUT = 1;
/** Writer lease: the writer thread's tag, 0 when no writer holds it. */
export const W_LEASE = 2;
/** 1 once the owner closed the store. */
export const W_CLOSED = 3;
export const W_RING_SIZE = 4;
export const W_SLOT_COUNT = 5;
/** Thread id of the owner, where attaching threads register. */
export const W_OWNER = 8;
/** One past the highest reader slot ever claimed: scans stop there. */
export const W_SLOT_HWM = 9;
/** The low 32 bits of the newest version again, as an Int32 that `Atomics.waitAsync` can wait on. */
export const W_NOTIFY = 10;
/** Threads waiting on `W_NOTIFY`: the writer calls `Atomics.notify` only while this is above 0. */
export const W_WAITERS = 11;

/*
 * Durability words (a store with a write-ahead log). The writer appends each version's record to
 * the log and then stores the version in W_WRITTEN; the persistence worker sleeps on it, fdatasyncs
 * the log, stores the version in the durable word and then in W_DURABLE, on which durable submits
 * sleep. Each notify word has its waiter count, so that nobody calls Atomics.notify in vain.
 */
/** The low 32 bits of the newest version written to the log (not yet synced). */
export const W_WRITTEN = 20;
export const W_WRITTEN_WAITERS = 21;
/** The low 32 bits of the durable version word: durable submits wait on it. */
export const W_DURABLE = 22;
export const W_DURABLE_WAITERS = 23;
/** 1 once making the log durable failed: the store takes no more writes (PERSIST_FAILED). */
export const W_PERSIST_FAILED = 24;
/*
 * The durable root: the newest durable version whose blocks the writer keeps pinned, published for
 * `snapshot({ durable: true })` under a sequence lock (odd while the writer rewrites the words).
 */
export const W_DROOT_SEQ = 12;
export const W_DROOT_SEG = 13;
export const W_DROOT_OFF = 14;
/** Index into `i64` of the durable root's version (0: none published). */
export const DROOT_INDEX = 9;
/** Index into `i64` of the durable version word. */
export const DURABLE_INDEX = 14;
/** Index into `i64` of the written version word (the log holds every record up to it). */
export const WRITTEN_INDEX = 15;

const VERSION_BYTE = 64;
const RING_BYTE = 128;

/** Typed views over a control block, with the offsets of its regions. */
export interface Control {
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  /** Index into `i64` of the version word. */
  readonly versionIndex: number;
  /** Index into `i32` of the first ring entry. */
  readonly ringIndex: number;
  readonly ringMask: number;
  /** Index into `i32` of the first slot owner word. */
  readonly ownerIndex: number;
  /** Index into `i64` of the first slot version word. */
  readonly slotIndex: number;
  readonly slotCount: number;
}

function regions(ringSize: number, slotCount: number) {
  const ownerByte = RING_BYTE + ringSize * 8;
  const slotByte = Math.ceil((ownerByte + slotCount * 4) / 64) * 64;
  const total = slotByte + slotCount * 8;
  return { ownerByte, slotByte, total };
}

/** Makes a fresh control block. `ringSize` must be a power of two of at least 2. */
export function createControl(ringSize: number, slotCount: number, ownerThread: number): Control {
  const { total } = regions(ringSize, slotCount);
  const sab = new SharedArrayBuffer(total);
  const i32 = new Int32Array(sab);
  i32[W_MAGIC] = MAGIC;
  i32[W_LAYOUT] = LAYOUT_VERSION;
  i32[W_RING_SIZE] = ringSize;
  i32[W_SLOT_COUNT] = slotCount;
  i32[W_OWNER] = ownerThread;
  return openControl(sab);
}

/** Maps an existing control block (check it with {@link isControl} first). */
export function openControl(sab: SharedArrayBuffer): Control {
  const i32 = new Int32Array(sab);
  const ringSize = i32[W_RING_SIZE]!;
  const slotCount = i32[W_SLOT_COUNT]!;
  const { ownerByte, slotByte } = regions(ringSize, slotCount);
  return {
    sab,
    i32,
    i64: new BigInt64Array(sab),
    versionIndex: VERSION_BYTE / 8,
    ringIndex: RING_BYTE / 4,
    ringMask: ringSize - 1,
    ownerIndex: ownerByte / 4,
    slotIndex: slotByte / 8,
    slotCount,
  };
}

/** Whether `sab` starts with this layout's magic and version. */
export function isControl(sab: unknown): sab is SharedArrayBuffer {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < RING_BYTE) return false;
  const i32 = new Int32Array(sab, 0, 2);
  return i32[W_MAGIC] === MAGIC && i32[W_LAYOUT] === LAYOUT_VERSION;
}
