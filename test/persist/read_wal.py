#!/usr/bin/env python3
"""Reads an arrow-cluster-state write-ahead log from Python (docs/wal.md, docs/interop.md).

Usage: read_wal.py <wal folder> <folder of flatc --python code>
  where the code comes from: flatc --python -o <that folder> src/codec/mutation.fbs

Prints one JSON line per record: the record's version, and from its FlatBuffers payload (a Batch
of src/codec/mutation.fbs) each effect's op name, table, key and column names, the batch's producer,
sequence number and marker. Checks every header and CRC (zlib.crc32 of header bytes 0-19, then of
payload and padding) and stops with exit status 2 at the first bad record. Needs Python 3 and the
flatbuffers runtime (Debian: python3-flatbuffers).
"""
import json
import os
import re
import struct
import sys
import zlib

SEGMENT_MAGIC = 0x57534341  # b"ACSW"
RECORD_MAGIC = 0x52534341  # b"ACSR"


def main(folder, generated):
    sys.path.insert(0, generated)
    from acs.mutation.Batch import Batch
    from acs.mutation.MarkerKind import MarkerKind
    from acs.mutation.Op import Op
    from acs.mutation.ValueKind import ValueKind

    # flatc --python renames a Python keyword by appending "_" (MarkerKind.None_): undo it.
    def names(enum):
        return {v: k.rstrip("_") for k, v in vars(enum).items() if not k.startswith("_")}

    op_names = names(Op)
    marker_names = names(MarkerKind)

    def key_of(value):
        if value is None or value.Kind() == ValueKind.Null:
            return None
        if value.Kind() == ValueKind.String:
            return value.StringValue().decode("utf-8")
        if value.Kind() in (ValueKind.Int, ValueKind.BigInt):
            return value.IntValue()
        raise ValueError("unexpected key kind %d" % value.Kind())

    segments = sorted(n for n in os.listdir(folder) if re.fullmatch(r"wal-\d{20}\.log", n))
    for name in segments:
        data = open(os.path.join(folder, name), "rb").read()
        if len(data) == 0:
            continue
        magic, fmt, first = struct.unpack_from("<IIQ", data, 0)
        if magic != SEGMENT_MAGIC or fmt != 1 or first != int(name[4:24]):
            fail("%s: bad segment header" % name)
        at = 16
        while at < len(data):
            if len(data) - at < 24:
                fail("%s@%d: torn header" % (name, at))
            magic, length, version, flags, crc = struct.unpack_from("<IIQII", data, at)
            end = at + 24 + ((length + 7) & ~7)
            if magic != RECORD_MAGIC or end > len(data):
                fail("%s@%d: bad or torn record" % (name, at))
            if zlib.crc32(data[at + 24 : end], zlib.crc32(data[at : at + 20])) != crc:
                fail("%s@%d: CRC mismatch" % (name, at))
            if flags != 0:
                fail("%s@%d: unknown flags %d" % (name, at, flags))
            payload = bytearray(data[at + 24 : at + 24 + length])
            batch = Batch.GetRootAs(payload, 0)
            effects = [batch.Effects(i) for i in range(batch.EffectsLength())]
            producer = batch.Producer()
            print(
                json.dumps(
                    {
                        "version": version,
                        "batchVersion": batch.Version(),
                        "ops": [op_names[e.Op()] for e in effects],
                        "tables": [(e.Table() or b"").decode("utf-8") for e in effects],
                        "keys": [key_of(e.Key()) for e in effects],
                        "columns": [
                            [e.Columns(j).Name().decode("utf-8") for j in range(e.ColumnsLength())]
                            for e in effects
                        ],
                        "producer": None if producer is None else producer.decode("utf-8"),
                        "seq": batch.Seq(),
                        "marker": marker_names[batch.Marker()],
                    }
                )
            )
            at = end


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
