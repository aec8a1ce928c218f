"""Reading one field of a definition mapping: a value, or a Problem for staff.

Shared by the parser and the validators (`check_unique`), so kept apart from both.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from surveys.definitions.records import Collector


def unknown_fields(
    out: Collector,
    where: str,
    data: Mapping[str, Any],
    allowed: set[str],
    *,
    prefix: str = "",
) -> None:
    for name in sorted(set(data) - allowed):
        out.add(where, f"{prefix}okänt fält {name!r}")


def required_text(
    out: Collector,
    where: str,
    data: Mapping[str, Any],
    name: str,
    max_length: int | None = None,
) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        out.add(where, f"{name} saknas")
        return ""
    return within(out, where, name, value.strip(), max_length)


def within(
    out: Collector, where: str, name: str, value: str, max_length: int | None
) -> str:
    """Check a text against its database column, so a long text is a Problem."""
    if max_length is not None and len(value) > max_length:
        out.add(where, f"{name} får vara högst {max_length} tecken (nu {len(value)})")
    return value


def optional_text(
    out: Collector,
    where: str,
    data: Mapping[str, Any],
    name: str,
    max_length: int | None = None,
) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        out.add(where, f"{name} ska vara text")
        return ""
    return within(out, where, name, value.strip(), max_length)


def decimal_value(
    out: Collector, where: str, data: Mapping[str, Any], name: str
) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        out.add(where, f"{name} ska vara ett tal")
        return None


def date_value(
    out: Collector, data: Mapping[str, Any], name: str
) -> datetime.date | None:
    value = data.get(name)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    out.add("", f"{name} ska vara ett datum ÅÅÅÅ-MM-DD")
    return None


def check_unique(
    out: Collector, values: Sequence[str], what: str, where_for: Any
) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            out.add(where_for(value), f"{what} {value!r} förekommer mer än en gång")
        seen.add(value)
