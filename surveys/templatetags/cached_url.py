"""`{% url %}` with each reversal remembered per process (issue #20).

Django's `reverse` walks the URL patterns on every call; a form page has 14
`{% url %}` tags, a sixth of the time its template took. What a reversal gives
depends only on the URL configuration (its resolver object, new whenever
Django clears its URL caches, e.g. when a test overrides ROOT_URLCONF), the
script prefix, the active language, the current application namespace and the
tag's view name and arguments: all of them are the key. Arguments other than
ints and strings (a model instance prints as its `__str__`, which may change
under the same hash) and `{% url … as var %}` go to Django's tag unchanged.

Installed as a template builtin (config/settings.py), so every template's
`{% url %}` is this one; it prints exactly what Django's prints.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

# A quoted view name resolves to a SafeString, which hashes and prints as its str.
_PLAIN = (int, str, SafeString)


@lru_cache(maxsize=4096)
def _reverse(
    resolver: Any,
    prefix: str,
    language: str | None,
    current_app: str | None,
    view_name: str,
    args: tuple[int | str, ...],
    kwargs: tuple[tuple[str, int | str], ...],
) -> str:
    # The key's resolver, prefix and language are the ones reverse() reads now.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


class CachedURLNode(URLNode):
    def render(self, context: Context) -> str | SafeString:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        if self.asvar or not all(
            type(v) in _PLAIN for v in (view_name, *args, *kwargs.values())
        ):
            return str(super().render(context))
        # The current application as Django's tag finds it.
        try:
            current_app = context.request.current_app  # type: ignore[attr-defined]
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace  # type: ignore[attr-defined]
            except AttributeError:
                current_app = None
        url = _reverse(
            get_resolver(get_urlconf()),
            get_script_prefix(),
            get_language(),
            current_app,
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
        )
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> CachedURLNode:
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
