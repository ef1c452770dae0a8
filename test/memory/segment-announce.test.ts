/**
 * A thread learns of segments made after it attached from the store's channel: a read that meets
 * an unknown segment drains the announcements at once, without waiting for the event loop. A
 * segment never announced is an error that names it.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateError } from '../../src/errors.js';
import { int32, Store, schema, table } from '../../src/index.js';
import { SegmentTable } from '../../src/memory/segments.js';

const s = schema([table('t', { id: int32(), v: int32() }, { key: 'id' })]);

const open: Store[] = [];
afterEach(() => {
  for (const store of open.splice(0).reverse()) store.close();
});

describe('segment announcements', () => {
  it('reach a reader that reads right after the writer made new segments', async () => {
    const owner = Store.create(s, { segmentBytes: 4096, rowGroupSize: 64 });
    open.push(owner);
    const reader = await Store.attach(owner.handle());
    open.push(reader);
    const before = owner.stats().segments;
    // Synchronously, with no turn of the event loop: the reader's channel handler cannot run.
    owner.write((tx) => {
      for (let i = 0; i < 2000; i++) tx.insert('t', { id: i, v: i * 3 });
    });
    expect(owner.stats().segments).toBeGreaterThan(before + 2);
    reader.read((snap) => {
      expect(snap.count('t')).toBe(2000);
      for (const id of [0, 999, 1999]) expect(snap.get('t', id)).toEqual({ id, v: id * 3 });
    });
  });

  it('refuses a segment nobody announced, naming it', () => {
    const channel = new BroadcastChannel(`segment-announce-test:${process.pid}`);
    const withChannel = new SegmentTable(channel);
    for (const t of [withChannel, new SegmentTable(null)]) {
      let error: StateError | undefined;
      try {
        t.get(3);
      } catch (err) {
        error = err as StateError;
      }
      expect(error?.code).toBe('SEGMENT_UNKNOWN');
      expect(error?.message).toContain('segment 3');
    }
    withChannel.close();
  });
});
