"""Tensors between Arrow columns and numpy, without a Python loop per element.

Inputs (:func:`read_column`): a column feeds one model input; per row it may be

* a numeric scalar (the model input has rank 1, ``[batch]``);
* an array nested to the input's rank minus one (``array<array<float>>`` for ``[batch, h, w]``);
* a flat array when the input's non-batch dimensions are all fixed (reshaped, e.g. 150528 -> 3x224x224);
* an ML vector (pyspark's VectorUDT struct in Arrow: dense or sparse) for a ``[batch, n]`` input;
* ``binary``: the raw tensor, its values in the input's element type (native byte order, C order), for an input
  whose non-batch dimensions are fixed (or a 1-d input). This is the fast form: the JVM moves each row as one
  byte array and Python reads it without a copy, where nested arrays cost the JVM a conversion per element.

Each row gets a shape; rows whose shape disagrees with the model (or that are ragged or hold nulls) get a reason
in :attr:`RowTensors.errors` instead. Rows of one shape are gathered into one ``(rows, *shape)`` array with
vectorised indexing (zero-copy when they are contiguous).

Outputs (:func:`to_arrow`): a ``(rows, *dims)`` array becomes a column nested ``len(dims)`` deep with the
element type Spark uses for the tensor's type (:func:`spark_type`); :func:`dense_vectors` builds pyspark's
VectorUDT struct; :func:`assemble` puts per-shape-group results back in row order with nulls for bad rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.ml.linalg import VectorUDT
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NumericType,
    ShortType,
    StringType,
    StructType,
)

# onnxruntime's element type names -> numpy dtypes (strings and bfloat16 have no plain numpy tensor form here).
ORT_DTYPES: Dict[str, np.dtype] = {
    "tensor(float)": np.dtype(np.float32),
    "tensor(double)": np.dtype(np.float64),
    "tensor(float16)": np.dtype(np.float16),
    "tensor(int8)": np.dtype(np.int8),
    "tensor(int16)": np.dtype(np.int16),
    "tensor(int32)": np.dtype(np.int32),
    "tensor(int64)": np.dtype(np.int64),
    "tensor(uint8)": np.dtype(np.uint8),
    "tensor(uint16)": np.dtype(np.uint16),
    "tensor(uint32)": np.dtype(np.uint32),
    "tensor(uint64)": np.dtype(np.uint64),
    "tensor(bool)": np.dtype(np.bool_),
}


class FeedError(ValueError):
    """A feed does not match the model's input (unknown name, wrong rank, shape or type)."""


@dataclass(frozen=True)
class TensorInfo:
    """One model input or output: name, shape (None or a name for dynamic dims) and ort element type."""

    name: str
    shape: Tuple[Union[int, str, None], ...]
    type: str

    @property
    def dtype(self) -> Optional[np.dtype]:
        """The numpy dtype of this tensor, or None when it has none (strings, sequences, maps)."""
        return ORT_DTYPES.get(self.type)

    def describe(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.name}: {self.type} [{dims}]"


def castable(source: np.dtype, target: np.dtype) -> bool:
    """Numbers may widen or change precision within floats; never float -> int or anything -> bool."""
    if source == target:
        return True
    if target.kind == "f":
        return source.kind in "biuf"
    if target.kind in "iu":
        return source.kind in "biu"
    return False


def check_feed(info: TensorInfo, value: np.ndarray) -> np.ndarray:
    """``value`` cast to the input's dtype; raises :class:`FeedError` on a rank or fixed-dimension mismatch."""
    if value.ndim != len(info.shape):
        raise FeedError(
            f"model input {info.describe()} expects rank {len(info.shape)}, got an array of shape {list(value.shape)}"
        )
    for axis, (want, got) in enumerate(zip(info.shape, value.shape)):
        if isinstance(want, int) and want != got:
            raise FeedError(
                f"model input {info.describe()}: dimension {axis} must be {want}, got shape {list(value.shape)}"
            )
    dtype = info.dtype
    if dtype is None:
        raise FeedError(f"model input {info.describe()} has a type that cannot be fed from numpy")
    if not castable(value.dtype, dtype):
        raise FeedError(
            f"model input {info.describe()} expects {dtype}, got {value.dtype} (a cast would lose information)"
        )
    if value.dtype != dtype:
        value = value.astype(dtype)
    return np.ascontiguousarray(value)


# ort element type -> (Spark element type, numpy dtype its values are converted to before Arrow).
_OUTPUT_TYPES = {
    "tensor(float)": (FloatType(), np.float32),
    "tensor(float16)": (FloatType(), np.float32),
    "tensor(double)": (DoubleType(), np.float64),
    "tensor(int8)": (ByteType(), np.int8),
    "tensor(int16)": (ShortType(), np.int16),
    "tensor(int32)": (IntegerType(), np.int32),
    "tensor(int64)": (LongType(), np.int64),
    "tensor(uint8)": (ShortType(), np.int16),
    "tensor(uint16)": (IntegerType(), np.int32),
    "tensor(uint32)": (LongType(), np.int64),
    "tensor(bool)": (BooleanType(), np.bool_),
    "tensor(string)": (StringType(), None),
}
_SPARK_NUMPY = {
    "float": np.float32,
    "double": np.float64,
    "tinyint": np.int8,
    "smallint": np.int16,
    "int": np.int32,
    "bigint": np.int64,
    "boolean": np.bool_,
}


class TensorTypeError(ValueError):
    """A column whose type cannot feed a model input, or a model output with no Spark type."""


# A sequence of maps, one per batch row: what skl2onnx/onnxmltools classifiers output by default (ZipMap).
_SEQUENCE_OF_MAPS = re.compile(r"seq\(map\((\w+),\s*tensor\((\w+)\)\)\)")
_MAP_KEYS: Dict[str, DataType] = {"int64": LongType(), "int32": IntegerType(), "string": StringType()}


def map_output_type(info: TensorInfo) -> Optional[MapType]:
    """The Spark map type of a ``seq(map(key, tensor(value)))`` output (one map per row), else None."""
    found = _SEQUENCE_OF_MAPS.fullmatch(info.type.replace(" ", ""))
    if not found:
        return None
    key = _MAP_KEYS.get(found.group(1))
    value = _OUTPUT_TYPES.get(f"tensor({found.group(2)})", (None, None))[0]
    if key is None or value is None or isinstance(value, StringType):
        raise TensorTypeError(
            f"model output {info.describe()}: maps of {found.group(1)} to {found.group(2)} are "
            f"not supported (keys: {sorted(_MAP_KEYS)}; values: numbers)"
        )
    return MapType(key, value, True)


def spark_type(info: TensorInfo) -> DataType:
    """The Spark type of one row of model output ``info`` (its batch dimension removed).

    A ``seq(map(k, tensor(v)))`` output (ZipMap: one map per row) becomes ``map<k, v>``.
    """
    as_map = map_output_type(info)
    if as_map is not None:
        return as_map
    if info.type not in _OUTPUT_TYPES:
        raise TensorTypeError(
            f"model output {info.describe()} has a type mmlspark-py cannot return "
            f"(supported: {sorted(_OUTPUT_TYPES)} and seq(map(...)))"
        )
    if len(info.shape) < 1:
        raise TensorTypeError(f"model output {info.describe()} has no batch dimension")
    out: DataType = _OUTPUT_TYPES[info.type][0]
    for _ in info.shape[1:]:
        out = ArrayType(out, True)
    return out


def fixed_dims(info: TensorInfo) -> Optional[Tuple[int, ...]]:
    """The non-batch dimensions of ``info`` when all are fixed integers, else None."""
    dims = [d for d in info.shape[1:] if isinstance(d, int) and d > 0]
    return tuple(dims) if len(dims) == len(info.shape) - 1 else None


def column_layout(dtype: DataType) -> Tuple[int, Optional[DataType]]:
    """``(depth, element type)`` of a feed column type: 0 for scalars, array nesting depth, 1 for vectors.

    The element is None for a vector column (its values are doubles).
    """
    if isinstance(dtype, VectorUDT):
        return 1, None
    depth = 0
    while isinstance(dtype, ArrayType):
        dtype, depth = dtype.elementType, depth + 1
    return depth, dtype


def resolve_feeds(
    schema: StructType, feed: Dict[str, str], inputs: Sequence[TensorInfo]
) -> List[Tuple[str, str, DataType, TensorInfo]]:
    """``(input name, column, column type, input info)`` for each model input, in the model's order.

    :raises SchemaError: an input without a column in ``feed``, a missing column, or a column whose type
        cannot feed its input (the message names the input with its shape and type).
    """
    from mmlspark_py.core.stage import SchemaError, require_column

    feeds = []
    for info in inputs:
        if info.name not in feed:
            raise SchemaError(f"feedDict has no column for model input {info.describe()}")
        field = require_column(schema, feed[info.name], param="feedDict")
        check_feed_type(field.name, field.dataType, info)
        feeds.append((info.name, field.name, field.dataType, info))
    return feeds


def check_feed_type(column: str, dtype: DataType, info: TensorInfo) -> None:
    """Raise :class:`TensorTypeError` unless column type ``dtype`` can feed model input ``info``."""
    if isinstance(dtype, BinaryType):
        if info.dtype is None or not (fixed_dims(info) is not None or len(info.shape) == 2):
            raise TensorTypeError(
                f"feedDict: column {column!r} (binary) cannot feed model input {info.describe()}: "
                "a raw binary tensor needs an input of a numeric type whose dimensions (after "
                "the batch) are all fixed, or a 1-d input; use nested arrays otherwise"
            )
        return

    depth, element = column_layout(dtype)
    rank = len(info.shape) - 1
    expected = "array<" * rank + "number" + ">" * rank
    if rank >= 1:
        if rank == 1:
            expected += " or an ML vector"
        dims = fixed_dims(info)
        if rank > 1 and dims:
            expected += f" or a flat array of {int(np.prod(dims))} numbers"
    depth_ok = depth == rank or (depth == 1 and rank > 1 and fixed_dims(info) is not None)
    if element is not None and not isinstance(element, (NumericType, BooleanType)):
        depth_ok = False
    source = np.dtype(np.float64) if element is None else np.dtype(_SPARK_NUMPY.get(element.simpleString(), np.float64))
    if info.dtype is None or not depth_ok or not castable(source, info.dtype):
        raise TensorTypeError(
            f"feedDict: column {column!r} ({dtype.simpleString()}) cannot feed model input "
            f"{info.describe()}: expected {expected} of a type castable to "
            f"{info.dtype or info.type} without loss"
        )


@dataclass
class RowTensors:
    """Per-row shapes of one feed column, the reason for each unusable row, and a gatherer.

    ``shapes``: ``(rows, depth)`` ints; ``errors``: object array, None for usable rows; ``nulls``: rows whose
    value is null (their output is null, and they are not errors); ``gather(rows, shape)`` -> array.
    """

    shapes: np.ndarray
    errors: np.ndarray
    nulls: np.ndarray
    gather: Callable[[np.ndarray, Tuple[int, ...]], np.ndarray]


_NONE = np.array(None, dtype=object)


def is_none(values: np.ndarray) -> np.ndarray:
    """A boolean mask of the entries of an object array that are None (vectorised)."""
    return np.asarray(np.equal(values, _NONE), dtype=bool)


def _mark(errors: np.ndarray, mask: np.ndarray, reason: str) -> None:
    errors[mask & is_none(errors)] = reason


def _per_row(row_of: np.ndarray, flags: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(row_of, weights=flags.astype(np.float64), minlength=n) > 0


def _leaf_gather(values: np.ndarray, starts: np.ndarray) -> Callable[[np.ndarray, Tuple[int, ...]], np.ndarray]:
    def gather(rows: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape, dtype=np.int64))
        first = starts[rows[0]] if len(rows) else 0
        if np.array_equal(starts[rows], first + np.arange(len(rows)) * size):  # contiguous: a view
            return values[first : first + len(rows) * size].reshape((len(rows),) + tuple(shape))
        index = starts[rows][:, None] + np.arange(size)
        return values[index].reshape((len(rows),) + tuple(shape))

    return gather


def _leaf_values(leaf: pa.Array, errors: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if leaf.null_count:
        nulls = np.nonzero(leaf.is_null().to_numpy(zero_copy_only=False))[0]
        rows = np.searchsorted(starts + counts, nulls, side="right")
        flags = np.zeros(len(errors), bool)
        flags[rows] = True
        _mark(errors, flags, "null element")
        leaf = leaf.fill_null(False if pa.types.is_boolean(leaf.type) else 0)
    return leaf.to_numpy(zero_copy_only=False)


def _read_nested(array: pa.Array, depth: int) -> RowTensors:
    n = len(array)
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    errors = np.full(n, None, dtype=object)
    shapes = np.zeros((n, depth), np.int64)
    row_of = np.arange(n)  # the row of each sub-array at the current depth (never of each leaf: too many)
    level = array
    counts = np.zeros(n, np.int64)
    for axis in range(depth):
        if axis:
            _mark(errors, _per_row(row_of, level.is_null().to_numpy(zero_copy_only=False), n), "null sub-array")
        lengths = pc.list_value_length(level).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        per_row = np.bincount(row_of, minlength=n)
        firsts = np.cumsum(per_row) - per_row
        dims = np.zeros(n, np.int64)
        if len(lengths):
            dims = np.where(per_row > 0, lengths[np.minimum(firsts, len(lengths) - 1)], 0)
        _mark(
            errors,
            _per_row(row_of, lengths != dims[row_of], n),
            f"ragged array (sub-arrays of different lengths at depth {axis + 1})",
        )
        shapes[:, axis] = dims
        if axis < depth - 1:
            row_of = np.repeat(row_of, lengths)
        else:
            counts = np.bincount(row_of, weights=lengths, minlength=n).astype(np.int64)
        level = level.flatten()
    starts = np.cumsum(counts) - counts
    values = _leaf_values(level, errors, starts, counts)
    return RowTensors(shapes, errors, nulls, _leaf_gather(values, starts))


def _read_scalars(array: pa.Array) -> RowTensors:
    n = len(array)
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    values = _leaf_values(array, np.full(n, None, dtype=object), np.arange(n), np.ones(n, np.int64))
    return RowTensors(
        np.zeros((n, 0), np.int64), np.full(n, None, dtype=object), nulls, lambda rows, shape: values[rows]
    )


def _read_vectors(array: pa.StructArray) -> RowTensors:
    n = len(array)
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    fields = dict(zip([f.name for f in array.type], array.flatten()))
    dense = pc.equal(fields["type"], 1).fill_null(True).to_numpy(zero_copy_only=False)
    value_lengths = pc.list_value_length(fields["values"]).fill_null(0).to_numpy(zero_copy_only=False)
    sizes = fields["size"].fill_null(0).to_numpy(zero_copy_only=False)
    shapes = np.where(dense, value_lengths, sizes).astype(np.int64)[:, None]
    values = fields["values"].flatten().to_numpy(zero_copy_only=False)
    indices = fields["indices"].flatten().to_numpy(zero_copy_only=False)
    value_starts = np.cumsum(value_lengths) - value_lengths
    index_lengths = pc.list_value_length(fields["indices"]).fill_null(0).to_numpy(zero_copy_only=False)
    index_starts = np.cumsum(index_lengths) - index_lengths
    dense_gather = _leaf_gather(values, value_starts)

    def gather(rows: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
        if dense[rows].all():
            return dense_gather(rows, shape)
        out = np.zeros((len(rows),) + tuple(shape), np.float64)
        is_dense = dense[rows]
        if is_dense.any():
            out[is_dense] = dense_gather(rows[is_dense], shape)
        sparse = rows[~is_dense]
        nnz = index_lengths[sparse]
        owner = np.repeat(np.nonzero(~is_dense)[0], nnz)
        offsets = np.arange(nnz.sum()) - np.repeat(np.cumsum(nnz) - nnz, nnz)
        out[owner, indices[np.repeat(index_starts[sparse], nnz) + offsets]] = values[
            np.repeat(value_starts[sparse], nnz) + offsets
        ]
        return out

    return RowTensors(shapes, np.full(n, None, dtype=object), nulls, gather)


def _read_binary(array: pa.Array, info: TensorInfo) -> RowTensors:
    """Raw tensors: each row's bytes are the input's values in its element type (native byte order, C order),
    for the input's fixed dimensions (or any length for a 1-d input). Rows are views of the column's one data
    buffer: no per-element conversion anywhere."""
    n = len(array)
    dtype = info.dtype
    if dtype is None:
        raise ValueError(f"raw binary tensors need the input's element type; {info!r} has none")
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    errors = np.full(n, None, dtype=object)
    width = np.int64 if pa.types.is_large_binary(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], width)[array.offset : array.offset + n + 1].astype(np.int64)
    lengths = np.diff(offsets)
    buffer = array.buffers()[2]
    data = np.frombuffer(buffer, np.uint8) if buffer is not None else np.empty(0, np.uint8)
    dims = fixed_dims(info)
    if dims is not None:
        expected = int(np.prod(dims)) * dtype.itemsize
        _mark(
            errors,
            (lengths != expected) & ~nulls,
            f"raw binary tensor of the wrong size (expected {expected} "
            f"bytes: {'x'.join(map(str, dims))} values of {dtype})",
        )
        shapes = np.tile(np.array(dims, np.int64), (n, 1))
    else:
        _mark(
            errors,
            (lengths % dtype.itemsize != 0) & ~nulls,
            f"raw binary tensor whose size is not a multiple of {dtype.itemsize} bytes ({dtype})",
        )
        shapes = (lengths // dtype.itemsize)[:, None]
    starts = offsets[:-1]

    def gather(rows: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        first = starts[rows[0]] if len(rows) else 0
        if np.array_equal(starts[rows], first + np.arange(len(rows)) * size):  # contiguous rows: a view
            raw = data[first : first + len(rows) * size]
        else:
            raw = data[(starts[rows][:, None] + np.arange(size)).ravel()]
        return raw.view(dtype).reshape((len(rows),) + tuple(shape))

    return RowTensors(shapes, errors, nulls, gather)


def _reshape_flat(tensors: RowTensors, dims: Tuple[int, ...]) -> RowTensors:
    size = int(np.prod(dims))
    wrong = (tensors.shapes[:, 0] != size) & ~tensors.nulls
    _mark(tensors.errors, wrong, f"flat array of the wrong length (expected {size} = {'x'.join(map(str, dims))})")
    shapes = np.tile(np.array(dims, np.int64), (len(tensors.shapes), 1))
    flat = tensors.gather
    return RowTensors(
        shapes,
        tensors.errors,
        tensors.nulls,
        lambda rows, shape: flat(rows, (size,)).reshape((len(rows),) + tuple(shape)),
    )


def read_column(array: pa.Array, dtype: DataType, info: TensorInfo) -> RowTensors:
    """Rows of ``array`` (a column of Spark type ``dtype``) as tensors for model input ``info``.

    Rows whose shape disagrees with the input's fixed dimensions get a reason in ``errors``.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    depth, _ = column_layout(dtype)
    rank = len(info.shape) - 1
    if isinstance(dtype, BinaryType):
        tensors = _read_binary(array, info)
    elif isinstance(dtype, VectorUDT):
        tensors = _read_vectors(array)
    elif depth == 0:
        tensors = _read_scalars(array)
    else:
        tensors = _read_nested(array, depth)
    flat_dims = fixed_dims(info)
    if depth == 1 and rank > 1 and flat_dims is not None and not isinstance(dtype, BinaryType):
        tensors = _reshape_flat(tensors, flat_dims)
    for axis, want in enumerate(info.shape[1:]):
        if isinstance(want, int) and want > 0:
            wrong = (tensors.shapes[:, axis] != want) & ~tensors.nulls
            _mark(tensors.errors, wrong, f"wrong shape for model input {info.describe()}")
    return tensors


def shape_text(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


# ------------------------------------------------------------------------------------------------- outputs
def to_arrow(values: np.ndarray, dtype: DataType) -> pa.Array:
    """A ``(rows, *dims)`` array as an Arrow column of Spark type ``dtype`` (nested ``len(dims)`` deep)."""
    arrow_type = to_arrow_type(dtype)
    element = dtype
    while isinstance(element, ArrayType):
        element = element.elementType
    if isinstance(element, StringType):
        flat = pa.array([None if v is None else str(v) for v in values.ravel().tolist()], pa.string())
    else:
        flat = pa.array(np.ascontiguousarray(values, dtype=_SPARK_NUMPY[element.simpleString()]).ravel())
    out: pa.Array = flat
    dims = values.shape[1:]
    types = []
    t = arrow_type
    while pa.types.is_list(t):
        types.append(t)
        t = t.value_type
    for axis in range(len(dims) - 1, -1, -1):
        count = len(out) // dims[axis] if dims[axis] else int(np.prod(values.shape[: axis + 1]))
        offsets = pa.array(np.arange(count + 1, dtype=np.int32) * dims[axis])
        out = pa.ListArray.from_arrays(offsets, out, type=types[axis])
    return out


def map_column(values: Sequence[Dict], dtype: MapType) -> pa.Array:
    """One map per row (a list of dicts, as onnxruntime returns a ``seq(map(...))`` output) as an Arrow column."""
    arrow_type = to_arrow_type(dtype)
    return pa.array([list(d.items()) for d in values], type=arrow_type)


def map_matrix(values: Sequence[Dict]) -> np.ndarray:
    """``(rows, keys)`` float64 values of maps, each row's values ordered by key (SynapseML's order)."""
    return np.array([[float(d[k]) for k in sorted(d)] for d in values], np.float64).reshape(len(values), -1)


def map_argmax(values: Sequence[Dict]) -> np.ndarray:
    """The key of each row's largest value, as a float64 (numeric keys)."""
    return np.array([float(max(d.items(), key=lambda kv: kv[1])[0]) for d in values], np.float64)


def raw_tensor_column(tensors: Sequence[Optional[np.ndarray]]) -> pa.Array:
    """A binary column of raw tensors (each row's values in C order, native byte order; None -> null), the form
    :func:`read_column` reads fastest; the values are copied once, into the column's single data buffer."""
    sizes = np.array([0 if t is None else t.nbytes for t in tensors], np.int64)
    offsets = np.zeros(len(tensors) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError(
            f"a batch of tensors holds {offsets[-1]} bytes, over Arrow's 2 GiB per column chunk: lower miniBatchSize"
        )
    data = np.empty(int(offsets[-1]), np.uint8)
    for t, start, size in zip(tensors, offsets[:-1], sizes):
        if size:
            data[start : start + size] = np.ascontiguousarray(t).reshape(-1).view(np.uint8)
    validity = pa.array([t is not None for t in tensors], pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(
        pa.binary(), len(tensors), [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
    )


def dense_vectors(values: np.ndarray) -> pa.Array:
    """``(rows, n)`` numbers as pyspark's dense-vector struct (VectorUDT's Arrow form)."""
    arrow_type = to_arrow_type(VectorUDT())
    rows, width = values.shape
    flat = pa.array(np.ascontiguousarray(values, np.float64).ravel())
    offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * width)
    fields = list(arrow_type)
    arrays = [
        pa.array(np.ones(rows, np.int8)),
        pa.nulls(rows, pa.int32()),
        pa.nulls(rows, fields[2].type),
        pa.ListArray.from_arrays(offsets, flat, type=fields[3].type),
    ]
    return pa.StructArray.from_arrays(arrays, fields=fields)


def assemble(parts: List[Tuple[np.ndarray, pa.Array]], n: int, arrow_type: pa.DataType) -> pa.Array:
    """One column of ``n`` rows from ``(row indices, values)`` parts; rows in no part are null."""
    if len(parts) == 1 and len(parts[0][0]) == n and np.array_equal(parts[0][0], np.arange(n)):
        return parts[0][1]
    position = np.full(n, sum(len(rows) for rows, _ in parts), np.int64)  # default: the trailing null
    offset = 0
    for rows, _ in parts:
        position[rows] = offset + np.arange(len(rows))
        offset += len(rows)
    pieces = [arr for _, arr in parts] + [pa.nulls(1, arrow_type)]
    return pa.concat_arrays([p.cast(arrow_type) if p.type != arrow_type else p for p in pieces]).take(
        pa.array(position)
    )
