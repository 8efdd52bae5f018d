"""Image input columns, read the same way by every stage that takes images.

An image column may be Spark's image struct (decoded pixels; SynapseML's all-nullable ``ImageSchema`` too), a
binaryFile struct (a struct with ``path`` string and ``content`` binary, as ``F.struct(*binaryFile.columns)``
gives, or SynapseML's ``path``/``bytes``) or raw encoded bytes (``binary``). :func:`input_kind` tells which (in
the driver, raising a SchemaError that names the column otherwise) and :func:`read_sources` turns one Arrow
batch of the column into per-row sources: decoded ``(H, W, C)`` arrays for image structs, zero-copy views of the
encoded bytes otherwise (decode them with :func:`mmlspark_py.image.decode_image`), plus each row's origin and an
error already found (an inconsistent image struct).

Example (in a batch function)::

    kind = input_kind(df.schema["image"].dataType, "image")          # driver
    sources, origins, errors = read_sources(batch.column(0), kind)   # worker
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import pyarrow as pa
from pyspark.sql.types import BinaryType, DataType, StringType, StructType

from mmlspark_py.core.image_schema import IMAGE_SCHEMA, ImageFormatError, arrays_from_structs, binary_views
from mmlspark_py.core.stage import SchemaError

__all__ = ["InputKind", "input_kind", "is_image_struct", "read_sources"]


@dataclass(frozen=True)
class InputKind:
    """How to read an image column: ``kind`` is ``"image"``, ``"binaryfile"`` or ``"binary"``; ``content`` the
    binaryFile struct's field holding the bytes."""

    kind: str
    content: Optional[str] = None

    @property
    def encoded(self) -> bool:
        """Whether rows hold encoded bytes (to decode) rather than pixels."""
        return self.kind != "image"


def is_image_struct(dtype: DataType) -> bool:
    """Whether ``dtype`` is Spark's image struct (field names and types; nullability ignored)."""
    return isinstance(dtype, StructType) and [(f.name, f.dataType) for f in dtype.fields] == [
        (f.name, f.dataType) for f in IMAGE_SCHEMA.fields
    ]


def _binary_file_content(dtype: DataType) -> Optional[str]:
    if not isinstance(dtype, StructType):
        return None
    types = {f.name: f.dataType for f in dtype.fields}
    content = next((n for n in ("content", "bytes") if isinstance(types.get(n), BinaryType)), None)
    return content if content and isinstance(types.get("path"), StringType) else None


def input_kind(dtype: DataType, column: str, param: str = "inputCol", structs_only: bool = False) -> InputKind:
    """How to read image column ``column`` of type ``dtype``.

    :param structs_only: accept only Spark's image struct or binary (SynapseML's stages in ``image``).
    :raises SchemaError: naming the param and column when the type is none of the image forms.
    """
    if is_image_struct(dtype):
        return InputKind("image")
    content = None if structs_only else _binary_file_content(dtype)
    if content:
        return InputKind("binaryfile", content)
    if isinstance(dtype, BinaryType):
        return InputKind("binary")
    forms = (
        "Spark's image struct or binary (encoded image bytes)"
        if structs_only
        else ("Spark's image struct, a binaryFile struct (path string, content binary) or binary (encoded image bytes)")
    )
    raise SchemaError(f"{param}: column {column!r} has type {dtype.simpleString()}; expected {forms}")


def read_sources(column: pa.Array, kind: InputKind) -> Tuple[List[Any], List[Optional[str]], List[Optional[str]]]:
    """Per row of one Arrow batch: the pixels or encoded bytes (None for null), the origin (None for raw
    bytes) and an error already found (an inconsistent image struct), else None."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if kind.kind == "binary":
        views = binary_views(column)
        return views, [None] * len(views), [None] * len(views)
    if kind.kind == "binaryfile":
        children = dict(zip([f.name for f in column.type], column.flatten()))  # flatten keeps the struct's nulls
        origins = children["path"].to_pylist()
        return binary_views(children[kind.content]), origins, [None] * len(origins)
    origins = column.field("origin").to_pylist()
    try:
        return arrays_from_structs(column), origins, [None] * len(origins)
    except ImageFormatError:  # find the bad struct(s); the others still count
        images: List[Any] = []
        errors: List[Optional[str]] = []
        for i in range(len(column)):
            try:
                images.append(arrays_from_structs(column.slice(i, 1))[0])
                errors.append(None)
            except ImageFormatError as e:
                images.append(None)
                errors.append(str(e))
        return images, origins, errors
