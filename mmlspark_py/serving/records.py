"""Request records checked against a model's input schema, and results turned into JSON values.

A record is a JSON object with one key per input column (extra keys are ignored: a client may send whole
rows, labels included). Each value must fit the column's Spark type:

============================  =====================================================================
string                        a JSON string
byte, short, int, long        a JSON integer within the type's range (``true``/``1.5`` are rejected)
float, double, decimal        a JSON number (``"NaN"``, ``"Infinity"``, ``"-Infinity"`` strings too)
boolean                       ``true`` / ``false``
date, timestamp               an ISO-8601 string (``2024-05-01``, ``2024-05-01T12:30:00``)
array<...>                    a JSON list of values of the element type
vector (Spark ML)             a JSON list of numbers (dense)
============================  =====================================================================

``null`` is accepted where the column is nullable; a missing key is an error. Every error is a
:class:`RequestError` (HTTP 400) naming the record (its index in the request) and the field.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Callable, Dict, List, Sequence

from pyspark.ml.linalg import DenseVector, SparseVector, VectorUDT
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    StructType,
    TimestampNTZType,
    TimestampType,
)

_INT_RANGES: Dict[type, int] = {ByteType: 8, ShortType: 16, IntegerType: 32, LongType: 64}
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class RequestError(ValueError):
    """A request that does not fit the model's input schema; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _type_name(data_type: DataType) -> str:
    return "vector" if isinstance(data_type, VectorUDT) else data_type.simpleString()


def converter(data_type: DataType) -> Callable[[Any, str], Any]:
    """A function ``(json_value, where) -> python value`` for ``data_type`` (None passes through)."""
    expected = _type_name(data_type)

    def fail(value: Any, where: str) -> None:
        raise RequestError(f"{where}: expected {expected}, got {type(value).__name__} {str(value)[:50]!r}")

    if isinstance(data_type, StringType):

        def to_string(value: Any, where: str) -> Any:
            if not isinstance(value, str):
                fail(value, where)
            return value

        return to_string
    if type(data_type) in _INT_RANGES:
        bits = _INT_RANGES[type(data_type)]

        def to_int(value: Any, where: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                fail(value, where)
            if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
                raise RequestError(f"{where}: {value} is out of range for {expected}")
            return value

        return to_int
    if isinstance(data_type, (FloatType, DoubleType, DecimalType)):

        def to_float(value: Any, where: str) -> Any:
            if isinstance(value, str) and value in _SPECIAL_FLOATS:
                return _SPECIAL_FLOATS[value]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                fail(value, where)
            return float(value)

        return to_float
    if isinstance(data_type, BooleanType):

        def to_bool(value: Any, where: str) -> Any:
            if not isinstance(value, bool):
                fail(value, where)
            return value

        return to_bool
    if isinstance(data_type, (DateType, TimestampType, TimestampNTZType)):
        parse = datetime.date.fromisoformat if isinstance(data_type, DateType) else datetime.datetime.fromisoformat

        def to_time(value: Any, where: str) -> Any:
            if not isinstance(value, str):
                fail(value, where)
            try:
                return parse(value)
            except ValueError:
                raise RequestError(f"{where}: {value!r} is not an ISO-8601 {expected}") from None

        return to_time
    if isinstance(data_type, VectorUDT):
        element = converter(DoubleType())

        def to_vector(value: Any, where: str) -> Any:
            if not isinstance(value, list):
                fail(value, where)
            return DenseVector([element(v, f"{where}[{i}]") for i, v in enumerate(value)])

        return to_vector
    if isinstance(data_type, ArrayType):
        element = converter(data_type.elementType)

        def to_array(value: Any, where: str) -> Any:
            if not isinstance(value, list):
                fail(value, where)
            out = []
            for i, v in enumerate(value):
                if v is None and not data_type.containsNull:
                    raise RequestError(f"{where}[{i}]: null is not allowed")
                out.append(None if v is None else element(v, f"{where}[{i}]"))
            return out

        return to_array
    raise TypeError(f"input columns of type {expected} cannot be served")


class RecordReader:
    """Checks request records against ``schema`` and converts them to Python values (see the module doc)."""

    def __init__(self, schema: StructType):
        self.schema = schema
        self.names = schema.names
        self._fields = [(f.name, f.nullable, converter(f.dataType)) for f in schema.fields]

    def rows(self, records: Sequence[Any]) -> List[tuple]:
        """One tuple per record, values in schema order. :raises RequestError: naming record and field."""
        out = []
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise RequestError(
                    f"record {i}: expected a JSON object of column -> value, got {type(record).__name__}"
                )
            row: List[Any] = []
            for name, nullable, convert in self._fields:
                where = f"record {i}, field {name!r}"
                if name not in record:
                    raise RequestError(f"{where}: missing (the model needs {self.names})")
                value = record[name]
                if value is None:
                    if not nullable:
                        raise RequestError(f"{where}: null is not allowed")
                    row.append(None)
                else:
                    row.append(convert(value, where))
            out.append(tuple(row))
        return out


def json_value(value: Any) -> Any:
    """A value of a scored row as plain JSON: vectors and arrays as lists, non-finite floats as null."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (DenseVector, SparseVector)):
        return [json_value(float(v)) for v in value.toArray()]
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return json_value(value.tolist())
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def output_records(rows: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Each row's values as plain JSON."""
    return [{k: json_value(v) for k, v in row.items()} for row in rows]
