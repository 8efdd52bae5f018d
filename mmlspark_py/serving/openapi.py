"""The OpenAPI 3 description of a served model, generated from its signature (``GET /openapi.json``)."""

from __future__ import annotations

from typing import Any, Dict

from pyspark.ml.linalg import VectorUDT
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
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from mmlspark_py.tracking import ModelIO

_SIMPLE: Dict[type, Dict[str, Any]] = {
    StringType: {"type": "string"},
    BooleanType: {"type": "boolean"},
    ByteType: {"type": "integer", "minimum": -128, "maximum": 127},
    ShortType: {"type": "integer", "minimum": -32768, "maximum": 32767},
    IntegerType: {"type": "integer", "format": "int32"},
    LongType: {"type": "integer", "format": "int64"},
    FloatType: {"type": "number", "format": "float"},
    DoubleType: {"type": "number", "format": "double"},
    DecimalType: {"type": "number"},
    DateType: {"type": "string", "format": "date"},
    TimestampType: {"type": "string", "format": "date-time"},
    TimestampNTZType: {"type": "string", "format": "date-time"},
}


def json_schema(data_type: DataType) -> Dict[str, Any]:
    """The OpenAPI schema of values of a Spark type (vectors: arrays of numbers)."""
    if isinstance(data_type, VectorUDT):
        return {"type": "array", "items": {"type": "number"}, "description": "a Spark ML vector (dense)"}
    if isinstance(data_type, ArrayType):
        return {"type": "array", "items": json_schema(data_type.elementType)}
    for cls, schema in _SIMPLE.items():
        if isinstance(data_type, cls):
            return dict(schema)
    return {"description": data_type.simpleString()}


def _object(struct: StructType, required: bool) -> Dict[str, Any]:
    def prop(f: StructField) -> Dict[str, Any]:
        return {**json_schema(f.dataType), **({"nullable": True} if f.nullable else {})}

    out: Dict[str, Any] = {"type": "object", "properties": {f.name: prop(f) for f in struct.fields}}
    if required:
        out["required"] = struct.names
    return out


def openapi(io: ModelIO, title: str, version: str, max_records: int, auth: bool) -> Dict[str, Any]:
    """The OpenAPI document: ``/predict`` (one record or a list), ``/health``, ``/metrics``."""
    error = {
        "description": "the request was rejected; the message names the field",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    body = {
        "oneOf": [
            {"$ref": "#/components/schemas/Record"},
            {"type": "array", "items": {"$ref": "#/components/schemas/Record"}, "minItems": 1, "maxItems": max_records},
        ]
    }
    answer = {
        "oneOf": [
            {"$ref": "#/components/schemas/Prediction"},
            {"type": "array", "items": {"$ref": "#/components/schemas/Prediction"}},
        ]
    }
    predict: Dict[str, Any] = {
        "summary": "score one record (an object) or a list of records",
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "200": {
                "description": "the model's outputs, in request order",
                "content": {"application/json": {"schema": answer}},
            },
            "400": error,
            "401": error,
            "411": error,
            "413": error,
            "422": error,
            "503": error,
        },
    }
    doc: Dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": "Served by mmlspark-py. Non-finite numbers in outputs are null.",
        },
        "paths": {
            "/predict": {"post": predict},
            "/health": {
                "get": {
                    "summary": "liveness and the model served",
                    "security": [],
                    "responses": {"200": {"description": "serving"}},
                }
            },
            "/metrics": {
                "get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text/plain metrics"}}}
            },
            "/openapi.json": {"get": {"summary": "this document", "responses": {"200": {"description": "OpenAPI 3"}}}},
        },
        "components": {
            "schemas": {
                "Record": _object(io.input_schema, True),
                "Prediction": _object(io.output_schema, False),
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            }
        },
    }
    if auth:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc
