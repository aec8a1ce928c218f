"""The two encodings the scripts' save endpoints read (surveys.http.posted_form):
JSON pairs with the token in a header, as the page's script posts the form, and
the form's urlencoded body, as its beacon does when the tab closes. Tests of
what a save does post through `script_post`, a fixture run once per encoding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.test import Client

from surveys.http import form_json

ENCODINGS = ("json", "urlencoded")


def pairs_of(
    data: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> list[tuple[str, str]]:
    """The form's pairs, in order: a list value is a repeated name."""
    items = data.items() if isinstance(data, Mapping) else data
    pairs = []
    for name, value in items:
        for one in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((name, str(one)))
    return pairs


class ScriptPost:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding

    def __call__(
        self,
        client: Client,
        url: str,
        data: Mapping[str, Any] | Iterable[tuple[str, Any]],
    ) -> HttpResponse:
        pairs = pairs_of(data)
        if self.encoding == "json":
            token = (
                client.cookies["csrftoken"].value
                if "csrftoken" in client.cookies
                else ""
            )
            return client.post(  # type: ignore[return-value]
                url,
                form_json(pairs),
                content_type="application/json",
                headers={"Accept": "application/json", "X-CSRFToken": token},
            )
        return client.post(  # type: ignore[return-value]
            url,
            urlencode(pairs),
            content_type="application/x-www-form-urlencoded",
            headers={"Accept": "application/json"},
        )
