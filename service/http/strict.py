"""The base of every API request body: unknown members refused (and documented so, see
service/http/openapi.py), dates only as ISO text.

Pydantic's lax mode reads ``0`` or ``"0"`` as 1970-01-01 (a Unix time); a date given to the
API must be written ``AAAA-MM-JJ`` (issue 14, item 10).
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _kind(annotation: Any) -> type | None:
    if annotation in (date, datetime):
        plain: type = annotation
        return plain
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _kind(arg)
            if found is not None:
                return found
    return None


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _dates_as_iso_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, info in cls.model_fields.items():
            key = info.alias or name
            if key not in data or data[key] is None:
                continue
            kind = _kind(info.annotation)
            if kind is None:
                continue
            value = data[key]
            if isinstance(value, date):
                continue
            pattern = _DATETIME if kind is datetime else _DATE
            if not isinstance(value, str) or not pattern.match(value.strip()) or (kind is date and len(value.strip()) != 10):
                expected = "AAAA-MM-JJTHH:MM:SS+01:00" if kind is datetime else "AAAA-MM-JJ"
                raise ValueError(f"« {key} » : date attendue au format {expected} (reçu : {value!r}).")
        return data
