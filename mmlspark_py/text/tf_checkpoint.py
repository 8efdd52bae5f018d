"""Read the variables of a TensorFlow (1 or 2) checkpoint without TensorFlow.

A checkpoint ``<prefix>`` is an index file ``<prefix>.index`` (a LevelDB-format table mapping each variable name
to a ``BundleEntryProto``: dtype, shape, shard, offset, size) and data files ``<prefix>.data-0000S-of-0000N``
holding the raw little-endian tensor bytes. Only the few protobuf fields needed are decoded, by hand, so that
converting a pretrained model needs neither TensorFlow (an optional extra) nor the protobuf schemas.

Example::

    from mmlspark_py.text.tf_checkpoint import read_checkpoint
    weights = read_checkpoint("trained_models/conll_2003_en/model.ckpt")   # {name: np.ndarray}

Errors: :class:`CheckpointError` naming the file when it is not a checkpoint, is compressed, truncated, or holds
a dtype this reader does not decode (strings, partitioned variables).
"""

from __future__ import annotations

import os
import struct
from typing import Any, Dict, Iterator, List, Tuple

import numpy as np

__all__ = ["CheckpointError", "read_checkpoint"]

_TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_SIZE = 48
_BLOCK_TRAILER_SIZE = 5  # 1 byte compression type + 4 bytes crc
# tensorflow/core/framework/types.proto -> numpy (little-endian, as TF writes on every platform we support)
_DTYPES = {
    1: "<f4",
    2: "<f8",
    3: "<i4",
    4: "u1",
    5: "<i2",
    6: "i1",
    9: "<i8",
    10: "?",
    17: "<u2",
    19: "<f2",
    22: "<u4",
    23: "<u8",
}


class CheckpointError(ValueError):
    """The files are not a TensorFlow checkpoint this reader understands."""


def _varint(buf: bytes, pos: int) -> Tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise CheckpointError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _proto_fields(buf: bytes) -> Iterator[Tuple[int, int, Any]]:
    """Yield (field number, wire type, value) of a serialized protobuf message; values are int or bytes."""
    pos = 0
    value: Any
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", buf, pos)[0], pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 5:
            value, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
        else:
            raise CheckpointError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def _block_entries(data: bytes, offset: int, size: int, path: str) -> Iterator[Tuple[bytes, bytes]]:
    """Key/value pairs of one LevelDB table block (keys are prefix-compressed)."""
    if offset + size + _BLOCK_TRAILER_SIZE > len(data):
        raise CheckpointError(f"{path}: block at {offset} runs past the end of the file")
    if data[offset + size] != 0:
        raise CheckpointError(f"{path}: compressed index blocks are not supported")
    block = data[offset : offset + size]
    num_restarts = struct.unpack_from("<I", block, size - 4)[0]
    end = size - 4 - 4 * num_restarts
    pos, key = 0, b""
    while pos < end:
        shared, pos = _varint(block, pos)
        non_shared, pos = _varint(block, pos)
        value_len, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        yield key, block[pos : pos + value_len]
        pos += value_len


def _table_entries(path: str) -> Iterator[Tuple[bytes, bytes]]:
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < _FOOTER_SIZE or struct.unpack_from("<Q", data, len(data) - 8)[0] != _TABLE_MAGIC:
        raise CheckpointError(f"{path} is not a TensorFlow checkpoint index (bad table magic)")
    footer = data[-_FOOTER_SIZE:]
    _, pos = _varint(footer, 0)  # metaindex handle: unused
    _, pos = _varint(footer, pos)
    index_offset, pos = _varint(footer, pos)
    index_size, _ = _varint(footer, pos)
    for _, handle in _block_entries(data, index_offset, index_size, path):
        block_offset, hpos = _varint(handle, 0)
        block_size, _ = _varint(handle, hpos)
        yield from _block_entries(data, block_offset, block_size, path)


def _parse_entry(name: str, value: bytes) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"dtype": 0, "shape": [], "shard": 0, "offset": 0, "size": 0}
    for field, _, v in _proto_fields(value):
        if field == 1:
            entry["dtype"] = v
        elif field == 2:
            entry["shape"] = _parse_shape(v)
        elif field == 3:
            entry["shard"] = v
        elif field == 4:
            entry["offset"] = v
        elif field == 5:
            entry["size"] = v
        elif field == 7:
            raise CheckpointError(f"variable {name!r} is partitioned (sliced); not supported")
    return entry


def _parse_shape(buf: bytes) -> List[int]:
    dims = []
    for field, _, dim in _proto_fields(buf):
        if field == 2:
            dims.append(next((v for f, _, v in _proto_fields(dim) if f == 1), 0))
    return dims


def read_checkpoint(prefix: str) -> Dict[str, np.ndarray]:
    """All numeric variables of the checkpoint ``prefix`` (the path without ``.index``), by name.

    :param prefix: e.g. ``".../model.ckpt"`` for ``model.ckpt.index`` + ``model.ckpt.data-00000-of-00001``.
    :returns: dict of variable name -> numpy array (a writable copy of the stored values).
    :raises CheckpointError: when the index or a data file is missing, malformed or holds unsupported dtypes.
    """
    index_path = prefix + ".index"
    if not os.path.isfile(index_path):
        raise CheckpointError(f"no checkpoint index at {index_path!r} (pass the prefix, e.g. '.../model.ckpt')")
    entries: Dict[str, Dict[str, Any]] = {}
    num_shards: Any = 1
    for key, value in _table_entries(index_path):
        if key == b"":  # the BundleHeaderProto: field 1 is num_shards
            num_shards = next((v for f, _, v in _proto_fields(value) if f == 1), 1)
            continue
        name = key.decode("utf-8")
        entries[name] = _parse_entry(name, value)
    shards: Dict[int, bytes] = {}
    out = {}
    for name, e in entries.items():
        dtype = _DTYPES.get(e["dtype"])
        if dtype is None:
            continue  # strings/resources (e.g. saver bookkeeping) are not weights
        shard = e["shard"]
        if shard not in shards:
            shard_path = f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"
            if not os.path.isfile(shard_path):
                raise CheckpointError(f"checkpoint data file {shard_path!r} is missing")
            with open(shard_path, "rb") as f:
                shards[shard] = f.read()
        raw = shards[shard][e["offset"] : e["offset"] + e["size"]]
        count = int(np.prod(e["shape"], dtype=np.int64))
        if len(raw) != e["size"] or count * np.dtype(dtype).itemsize != e["size"]:
            raise CheckpointError(f"variable {name!r}: stored size {e['size']} does not match shape {e['shape']}")
        out[name] = np.frombuffer(raw, dtype=dtype).reshape(e["shape"]).copy()
    return out
