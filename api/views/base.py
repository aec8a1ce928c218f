"""The base of every endpoint: DRF's APIView, with refused credentials counted
by the anonymous rate limit too.

DRF checks throttles after authentication and permissions, so a request with a
wrong or missing token would be refused (401) without ever being counted, and
guessing tokens would cost nothing. Here such a request is counted per address
before it is refused, and past the limit it gets 429."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            super().initial(request, *args, **kwargs)
        except (exceptions.NotAuthenticated, exceptions.AuthenticationFailed):
            self.check_throttles(request)  # the user is anonymous by now
            raise
