"""Tiny views for the middleware tests: one per rate-limit situation (the real API views set
the same attributes)."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.urls import include, path
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seoaudit.ratelimit import rate_limit_exempt


class ProbeBearerAuthentication(BaseAuthentication):
    """Stands in for the API's token authentication: `Bearer good-<user id>` is valid, any
    other bearer token fails with 401 (before DRF's throttles run, like the real one)."""

    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        token = header.removeprefix("Bearer ")
        if token.startswith("good-"):
            user = get_user_model().objects.filter(pk=token.removeprefix("good-")).first()
            if user is not None:
                return user, token
        raise AuthenticationFailed("Invalid token.")

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class SearchProbe(APIView):
    throttle_scope = "search"
    authentication_classes = (ProbeBearerAuthentication,)
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response({"pid": os.getpid(), "user": request.user.pk})


class ProtectedProbe(APIView):
    authentication_classes = (ProbeBearerAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.pk})


class UnknownScopeProbe(APIView):
    throttle_scope = "no-such-class"
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response({})


class ExemptProbe(APIView):
    rate_limit_exempt = True
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response({})


class EchoProbe(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@rate_limit_exempt
def events(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(iter(["data: tick\n\n"]), content_type="text/event-stream")


urlpatterns = [
    path("api/v1/probe/search", SearchProbe.as_view()),
    path("api/v1/probe/protected", ProtectedProbe.as_view()),
    path("api/v1/probe/unknown", UnknownScopeProbe.as_view()),
    path("api/v1/probe/exempt", ExemptProbe.as_view()),
    path("api/v1/probe/echo", EchoProbe.as_view()),
    path("probe/plain", plain),
    path("probe/events", events),
    path("", include("seoaudit.urls")),
]
