"""Reads TensorBoard event files without TensorFlow or protobuf (an independent check).

Usage: read_events.py LOGDIR. Prints JSON: {"files": n, "file_version": str, "scalars": {tag:
[[step, value], ...]}, "texts": {tag: [[step, text], ...]}, "plugins": {tag: plugin_name}}.
Every TFRecord's masked CRC-32C (length and data) is checked; a bad one exits 1.
"""
import json
import os
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos < len(buf):
        header = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        if masked(header) != len_crc:
            sys.exit("bad length CRC in " + path)
        data = buf[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", buf[pos + 12 + length:pos + 16 + length])
        if masked(data) != data_crc:
            sys.exit("bad data CRC in " + path)
        yield data
        pos += 16 + length


def varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value = buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            value = buf[pos:pos + n]
            pos += n
        elif wire == 5:
            value = buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError("wire type %d" % wire)
        yield num, wire, value


def main(logdir):
    out = {"files": 0, "file_version": None, "scalars": {}, "texts": {}, "plugins": {}}
    for name in sorted(os.listdir(logdir)):
        if not name.startswith("events.out.tfevents."):
            continue
        out["files"] += 1
        for rec in records(os.path.join(logdir, name)):
            step = 0
            summary = None
            for num, wire, value in fields(rec):      # Event
                if num == 2:
                    step = value
                elif num == 3:
                    out["file_version"] = value.decode()
                elif num == 5:
                    summary = value
            if summary is None:
                continue
            for num, wire, value in fields(summary):  # Summary.value
                if num != 1:
                    continue
                tag = plugin = None
                simple = tensor_strings = None
                for vnum, vwire, v in fields(value):  # Summary.Value
                    if vnum == 1:
                        tag = v.decode()
                    elif vnum == 2:
                        (simple,) = struct.unpack("<f", v)
                    elif vnum == 9:                   # SummaryMetadata.plugin_data.plugin_name
                        for mnum, _, m in fields(v):
                            if mnum == 1:
                                for pnum, _, p in fields(m):
                                    if pnum == 1:
                                        plugin = p.decode()
                    elif vnum == 8:                   # TensorProto.string_val
                        tensor_strings = [t.decode() for tnum, _, t in fields(v) if tnum == 8]
                if plugin is not None:
                    out["plugins"][tag] = plugin
                if simple is not None:
                    out["scalars"].setdefault(tag, []).append([step, simple])
                if tensor_strings is not None:
                    out["texts"].setdefault(tag, []).append([step, tensor_strings])
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
