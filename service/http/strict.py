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

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

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


# English keys, translated once by service.http.errors (like pydantic's own messages).
DATE_AS_TEXT = "Input should be a valid date written YYYY-MM-DD"
DATETIME_AS_TEXT = "Input should be a valid datetime written YYYY-MM-DDTHH:MM:SS+01:00"


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _dates_as_iso_text(cls, value: Any, info: ValidationInfo) -> Any:
        """A date or date-time member given as anything but ISO text is refused, the error
        located at the member (a web form shows it next to its field)."""
        if value is None or isinstance(value, date) or info.field_name is None:
            return value
        kind = _kind(cls.model_fields[info.field_name].annotation)
        if kind is None:
            return value
        pattern = _DATETIME if kind is datetime else _DATE
        text = value.strip() if isinstance(value, str) else None
        if text is None or not pattern.match(text) or (kind is date and len(text) != 10):
            raise PydanticCustomError(
                "date_iso", DATETIME_AS_TEXT if kind is datetime else DATE_AS_TEXT)
        return value
