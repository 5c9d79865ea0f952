"""Thin API views over the webhooks services and selectors. Every queryset starts from the
caller's rows, so another user's endpoint, delivery or repository is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seoaudit.http_errors import error_body

from .. import selectors, services
from ..exceptions import WebhookError
from ..github import github_delivery_receive
from ..models import GitHubRepository, WebhookDelivery, WebhookEndpoint
from . import serializers as s

UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class WebhookErrorsMixin:
    """Domain errors of this app in the one error shape."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, WebhookError):
            details = {"fields": {exc.field: [str(exc)]}} if exc.field else {}
            return Response(error_body(exc.code, str(exc), details), status=exc.http_status)
        return super().handle_exception(exc)  # type: ignore[misc]


@extend_schema_view(list=extend_schema(summary="Your webhook endpoints"),
                    retrieve=extend_schema(summary="One webhook endpoint"),
                    partial_update=extend_schema(summary="Change an endpoint (re-enable with "
                                                         "is_active=true)"),
                    destroy=extend_schema(summary="Delete an endpoint and its delivery log"))
class EndpointViewSet(WebhookErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = s.EndpointSerializer
    lookup_value_regex = UUID_RE
    throttle_scope = "webhooks"
    queryset = WebhookEndpoint.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.endpoint_list_for_user(user=self.request.user)

    @extend_schema(summary="Register an endpoint (the answer shows its signing secret once)",
                   request=s.EndpointSerializer, responses={201: s.EndpointWithSecretSerializer})
    def create(self, request: Request) -> Response:
        payload = s.EndpointSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        endpoint = services.endpoint_create(owner=request.user, url=data["url"],
                                            description=data.get("description", ""),
                                            event_types=data.get("event_types"))
        if data.get("is_active") is False:
            services.endpoint_update(endpoint=endpoint, is_active=False)
        return Response(s.EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        payload = s.EndpointSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=self.get_object(), **payload.validated_data)
        return Response(s.EndpointSerializer(endpoint).data)

    @extend_schema(summary="Send a webhook.test event to this endpoint", request=None,
                   responses={202: s.EventRefSerializer,
                              409: OpenApiResponse(description="The endpoint is disabled.")})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        event = services.endpoint_send_test(endpoint=self.get_object())
        return Response({"event_id": event.pk, "type": event.type}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="New signing secret; the old one signs too during the grace period",
                   request=s.RotateSecretSerializer, responses={200: s.EndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        payload = s.RotateSecretSerializer(data=request.data or {})
        payload.is_valid(raise_exception=True)
        endpoint = services.endpoint_rotate_secret(
            endpoint=self.get_object(), grace_hours=payload.validated_data.get("grace_hours"))
        return Response(s.EndpointWithSecretSerializer(endpoint).data)


class DeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event_type = django_filters.CharFilter(field_name="event__type")

    class Meta:
        model = WebhookDelivery
        fields = ("endpoint", "status", "event_type")


@extend_schema_view(list=extend_schema(summary="Delivery log, newest first"),
                    retrieve=extend_schema(summary="One delivery with its payload"))
class DeliveryViewSet(WebhookErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    filter_backends = (DjangoFilterBackend,)
    filterset_class = DeliveryFilter
    lookup_value_regex = r"[0-9]{1,18}"
    throttle_scope = "webhooks"
    queryset = WebhookDelivery.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.delivery_list_for_user(user=self.request.user)

    def get_serializer_class(self) -> Any:
        return s.DeliveryDetailSerializer if self.action == "retrieve" else s.DeliverySerializer

    @extend_schema(summary="Send again (same webhook-id and body, fresh retry schedule)",
                   request=None, responses={202: s.DeliverySerializer,
                                            409: OpenApiResponse(description="Endpoint disabled.")})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str | None = None) -> Response:
        delivery = services.delivery_redeliver(delivery=self.get_object())
        return Response(s.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(list=extend_schema(summary="Repositories whose deploys start audits"),
                    retrieve=extend_schema(summary="One repository mapping"),
                    destroy=extend_schema(summary="Remove a repository mapping"))
class GitHubRepositoryViewSet(WebhookErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = s.GitHubRepositorySerializer
    lookup_value_regex = r"[0-9]{1,18}"
    throttle_scope = "webhooks"
    queryset = GitHubRepository.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.github_repository_list_for_user(user=self.request.user)

    @extend_schema(summary="Map a repository to a site", responses={201: s.GitHubRepositorySerializer})
    def create(self, request: Request) -> Response:
        payload = s.GitHubRepositorySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        repository = services.github_repository_create(
            owner=request.user, full_name=data["full_name"], site_url=data["site_url"],
            audit_options=data.get("audit_options"))
        if data.get("is_active") is False:
            services.github_repository_update(repository=repository, is_active=False)
        return Response(s.GitHubRepositorySerializer(repository).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a repository mapping")
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        payload = s.GitHubRepositorySerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        repository = services.github_repository_update(repository=self.get_object(),
                                                       **payload.validated_data)
        return Response(s.GitHubRepositorySerializer(repository).data)


class GitHubIncomingView(WebhookErrorsMixin, APIView):
    """GitHub's webhook: public, authenticated by the X-Hub-Signature-256 HMAC instead."""

    authentication_classes: tuple = ()
    permission_classes = (AllowAny,)
    throttle_scope = "webhooks"

    @extend_schema(
        summary="Incoming GitHub webhook (push, deployment_status, ping)", auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: s.GitHubReplySerializer, 202: s.GitHubReplySerializer,
                   401: OpenApiResponse(description="Missing or invalid X-Hub-Signature-256."),
                   422: OpenApiResponse(description="The mapped site cannot be audited."),
                   503: OpenApiResponse(description="GITHUB_WEBHOOK_SECRET is not set.")})
    def post(self, request: Request) -> Response:
        reply = github_delivery_receive(
            event=request.headers.get("X-GitHub-Event"),
            delivery_id=request.headers.get("X-GitHub-Delivery"),
            signature=request.headers.get("X-Hub-Signature-256"),
            body=request.body)  # the raw bytes GitHub signed (request.data is never parsed)
        if reply.http_status >= 400:
            return Response(error_body("audit_refused", reply.message), status=reply.http_status)
        return Response(reply.as_dict(), status=reply.http_status)
