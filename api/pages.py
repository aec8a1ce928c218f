"""The account page for personal API tokens: create one (its secret is shown on
the answer to the POST only, never stored or put in a message), list and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api.forms import TokenCreateForm
from api.selectors import get_token_of, tokens_of
from api.services import CreatedToken, create_api_token, revoke_api_token
from surveys.auth import request_user
from surveys.errors import shown_errors


@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TokenCreateForm(request.POST or None)
    created: CreatedToken | None = None
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            created = create_api_token(actor=user, **form.cleaned_data)
        if outcome.ok:
            form = TokenCreateForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "created": created, "tokens": tokens_of(user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request_user(request)
    token = get_token_of(user, token_id)
    with shown_errors(request):
        revoke_api_token(token, actor=user)
        messages.success(request, f"Nyckeln ”{token.name}” är återkallad.")
    return redirect("api-token-page")
