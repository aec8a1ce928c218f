"""surveys.templatetags.cached_url: `{% url %}` remembered per process prints
exactly what Django's reverse gives, and never a URL of an earlier
configuration or script prefix."""

from __future__ import annotations

from django.conf import LazySettings
from django.template import Context, Template
from django.urls import get_script_prefix, reverse, set_script_prefix

from surveys.templatetags.cached_url import CachedURLNode, _reverse


def render(text: str, **context: object) -> str:
    return Template(text).render(Context(context))


def test_it_is_every_template_s_url_tag() -> None:
    template = Template("{% url 'surveys:home' %}")
    assert any(isinstance(node, CachedURLNode) for node in template.nodelist)


def test_it_prints_what_reverse_gives() -> None:
    hits = _reverse.cache_info().hits
    for _ in range(2):  # the first fills the cache, the second reads it
        assert render(
            "{% url 'intake:response-edit' 3 4 %}|{% url 'surveys:home' %}"
            "|{% url 'intake:response-edit' a b %}"
            "|{% url 'surveys:home' as home %}<{{ home }}>",
            a=5,
            b="6",
        ) == "|".join(
            [
                reverse("intake:response-edit", args=[3, 4]),
                reverse("surveys:home"),
                reverse("intake:response-edit", args=[5, "6"]),
                f"<{reverse('surveys:home')}>",
            ]
        )
    assert _reverse.cache_info().hits >= hits + 3


def test_another_configuration_or_script_prefix_is_never_served_stale(
    settings: LazySettings,
) -> None:
    assert render("{% url 'surveys:home' %}") == "/"
    settings.ROOT_URLCONF = "tests.surveys.other_urls"
    assert render("{% url 'surveys:home' %}") == "/annan-start/"
    prefix = get_script_prefix()
    set_script_prefix("/tjansten/")
    try:
        assert render("{% url 'surveys:home' %}") == "/tjansten/annan-start/"
    finally:
        set_script_prefix(prefix)
