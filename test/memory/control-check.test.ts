/**
 * Attaching checks that a handle's control block is one: a SharedArrayBuffer, large enough, with
 * this layout's magic and version. Anything else is refused with INVALID_HANDLE before a word of
 * it is read as a control block.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { int32, Store, schema, table } from '../../src/index.js';
import { W_LAYOUT, W_MAGIC } from '../../src/memory/control.js';

const s = schema([table('t', { id: int32() }, { key: 'id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

/** A copy of `control` (of the same kind of buffer), with `edit` applied to its Int32 words. */
function copyOf(control: SharedArrayBuffer, shared: boolean, edit: (i32: Int32Array) => void = () => {}) {
  const buf = shared ? new SharedArrayBuffer(control.byteLength) : new ArrayBuffer(control.byteLength);
  new Uint8Array(buf).set(new Uint8Array(control));
  edit(new Int32Array(buf));
  return buf;
}

describe('a handle whose control block is not one', () => {
  it('is refused with INVALID_HANDLE', async () => {
    const store = Store.create(s);
    open.push(store);
    const handle = store.handle();
    const fakes: unknown[] = [
      copyOf(handle.control, false), // the right words, in memory no other thread can share
      copyOf(handle.control, true, (i32) => (i32[W_MAGIC] = 0)),
      copyOf(handle.control, true, (i32) => (i32[W_LAYOUT] = i32[W_LAYOUT]! + 1)),
      new SharedArrayBuffer(4), // too small to hold the header
    ];
    for (const control of fakes) {
      await expect(Store.attach({ ...handle, control } as typeof handle)).rejects.toMatchObject({
        code: 'INVALID_HANDLE',
      });
    }
    // The handle as it is passes the check.
    const reader = await Store.attach(handle);
    reader.close();
  });
});
