from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from surveys.selectors import cycles_with_questionnaires


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/home.html",
        {"cycles": cycles_with_questionnaires()},
    )
