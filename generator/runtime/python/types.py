"""Annotated types shared by the generated models and events."""

from __future__ import annotations

import datetime as _dt
import typing as _t

import msgspec as _msgspec

DateTime: _t.TypeAlias = _t.Annotated[_dt.datetime, _msgspec.Meta(tz=True)]
"""RFC 3339 date-time with a timezone (naive values are rejected when decoding)."""

NonEmpty: _t.TypeAlias = _t.Annotated[str, _msgspec.Meta(min_length=1)]
"""A string with at least one character."""
