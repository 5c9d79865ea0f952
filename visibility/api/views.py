"""Thin API views of AI visibility under /api/v1/ai-visibility/. Every queryset starts from
the caller's own sites, so another user's site, prompt or run is a 404 (or, as a foreign key
in a request body, "does not exist"). Without an engine the endpoints that would ask one
answer 409 no_engine_configured; everything else still works."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keywords.exceptions import KeywordsError
from keywords.models import TrackedSite
from seoaudit.api.pagination import CursorPage, IdCursorPage

from .. import selectors, services, tasks
from ..budget import budget_status
from ..engine_access import EngineNotConfigured, engine_status
from ..exceptions import BudgetExhausted, InvalidPrompt, NoEngineConfigured, VisibilityError
from ..models import AnswerRun, TrackedPrompt
from . import serializers as s

_NO_ENGINE = OpenApiResponse(description="No answer engine is configured (no_engine_configured) "
                                         "or the daily budget is used up (budget_exhausted).")


def _api_error(exc: VisibilityError | KeywordsError) -> APIException:
    if isinstance(exc, InvalidPrompt) and exc.details:
        return ValidationError(exc.details)
    error = APIException(detail=str(exc), code=exc.code)
    error.default_code = exc.code
    error.status_code = exc.http_status
    return error


class _VisibilityViewMixin:
    """Domain errors become the one JSON error shape; ids are plain integers."""

    lookup_value_regex = r"[0-9]{1,18}"
    throttle_scope = "default"

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, EngineNotConfigured):
            exc = NoEngineConfigured(str(exc))
        if isinstance(exc, VisibilityError | KeywordsError):
            exc = _api_error(exc)
        return super().handle_exception(exc)  # type: ignore[misc]

    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def _query(self, serializer: type[Any]) -> dict[str, Any]:
        query = serializer(data=self.request.query_params)  # type: ignore[attr-defined]
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    def _metrics(self, runs: Any, *, compare: bool) -> Response:
        """Metrics of `runs` over ?since=&until= (default: the last 30 days), ?engine=."""
        query = self._query(s.MetricsQuerySerializer)
        period = selectors.Period.of(query.get("since"), query.get("until"))
        return Response(selectors.visibility_metrics(runs=runs, period=period, engine=query["engine"],
                                                     compare=compare))


@extend_schema_view(list=extend_schema(summary="Your tracked sites with their brand settings"),
                    retrieve=extend_schema(summary="One site's brand settings"))
class VisibilitySiteViewSet(_VisibilityViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Sites are the keywords app's tracked sites (create them with POST /keywords/sites)."""

    serializer_class = s.VisibilitySiteSerializer
    pagination_class = CursorPage
    queryset = TrackedSite.objects.none()

    def get_queryset(self) -> Any:
        return self.queryset if self._fake() else selectors.site_list_for_user(user=self.request.user)

    @extend_schema(summary="Set the brand name, its spellings and the owned domains",
                   request=s.BrandUpdateSerializer, responses={200: s.VisibilitySiteSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        site = self.get_object()
        payload = s.BrandUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.brand_update(site=site, **payload.validated_data)
        return Response(s.VisibilitySiteSerializer(self.get_object()).data)

    @extend_schema(summary="Mention rate, citation rate, average citation position, share of voice "
                           "(totals, per engine, per day) and winners/losers vs the previous period",
                   parameters=[s.MetricsQuerySerializer], responses={200: dict})
    @action(detail=True, methods=["get"])
    def metrics(self, request: Request, pk: str | None = None) -> Response:
        return self._metrics(selectors.site_runs(site=self.get_object()), compare=True)


@extend_schema_view(list=extend_schema(summary="Your tracked prompts (?site=, ?tag=, ?active=, ?search=)"),
                    retrieve=extend_schema(summary="One tracked prompt"))
class PromptViewSet(_VisibilityViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = s.PromptSerializer
    pagination_class = CursorPage
    queryset = TrackedPrompt.objects.none()

    def get_queryset(self) -> Any:
        if self._fake():
            return self.queryset
        prompts = selectors.prompt_list_for_user(user=self.request.user)
        if self.action != "list":
            return prompts
        query = self._query(s.PromptFilterSerializer)
        if query.get("site"):
            prompts = prompts.filter(site_id=query["site"])
        if query.get("active") is not None:
            prompts = prompts.filter(active=query["active"])
        return selectors.prompts_matching(prompts, tag=query.get("tag", ""), search=query.get("search", ""))

    @extend_schema(summary="Track a question (the same question, language and country returns the "
                           "existing prompt, 200)",
                   responses={201: s.PromptSerializer, 200: s.PromptSerializer})
    def create(self, request: Request) -> Response:
        payload = s.PromptSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        prompt, created = services.prompt_create(**payload.validated_data)
        return Response(s.PromptSerializer(prompt).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Change tags, competitors or active", request=s.PromptUpdateSerializer,
                   responses={200: s.PromptSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        prompt = self.get_object()
        payload = s.PromptUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        prompt = services.prompt_update(prompt=prompt, **payload.validated_data)
        return Response(s.PromptSerializer(prompt).data)

    @extend_schema(summary="Stop tracking a prompt (its runs go too)", responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.prompt_delete(prompt=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Import prompts from CSV; bad rows are reported line by line",
                   request=s.PromptImportSerializer, responses={200: s.PromptImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        payload = s.PromptImportSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        result = services.prompt_import_csv(site=payload.validated_data["site"],
                                            text=payload.validated_data["csv"])
        return Response(s.PromptImportResultSerializer(result).data)

    @extend_schema(summary="Metrics of one prompt (totals, per engine, per day)",
                   parameters=[s.MetricsQuerySerializer], responses={200: dict})
    @action(detail=True, methods=["get"])
    def metrics(self, request: Request, pk: str | None = None) -> Response:
        return self._metrics(self.get_object().runs.all(), compare=False)

    @extend_schema(summary="Ask this prompt now on the configured engines (idempotent per day; "
                           "counts against the daily budget)",
                   request=s.RunNowSerializer, responses={202: dict, 409: _NO_ENGINE})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        prompt = self.get_object()  # 404 for another user's prompt before anything else
        payload = s.RunNowSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        engine = engine_status()
        if not engine.configured:
            raise NoEngineConfigured(engine.message)
        wanted = payload.validated_data.get("engines") or list(engine.engines)
        unknown = sorted(set(wanted) - set(engine.engines))
        if unknown:
            raise ValidationError({"engines": [f"not configured: {', '.join(unknown)} "
                                               f"(configured: {', '.join(engine.engines)})"]})
        from ..tracking import pairs_pending

        pairs, over_budget = pairs_pending(TrackedPrompt.objects.filter(pk=prompt.pk), wanted,
                                           day=timezone.now().date())
        queued = [name for _p, name in pairs]
        skipped = [name for _p, name in over_budget]
        if not queued and skipped:
            budget = budget_status(owner_id=request.user.pk)
            raise BudgetExhausted(f"The daily budget of {budget.limit} engine runs is used up; "
                                  f"runs resume at {budget.resets_at.isoformat()}.")
        for name in queued:
            transaction.on_commit(lambda name=name: tasks.run_prompt.delay(prompt.pk, name))
        return Response({"queued": queued, "over_budget": skipped,
                         "already_run_today": sorted(set(wanted) - set(queued) - set(skipped)),
                         "runs": f"/api/v1/ai-visibility/runs?prompt={prompt.pk}"},
                        status=status.HTTP_202_ACCEPTED)


class NewestIdCursorPage(IdCursorPage):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(summary="Answer runs, newest first (?prompt=, ?site=, ?engine=, ?status=, "
                               "?since=, ?until=)", parameters=[s.RunFilterSerializer]),
    retrieve=extend_schema(summary="One answer run with the answer text and its citations"))
class RunViewSet(_VisibilityViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                 viewsets.GenericViewSet):
    pagination_class = NewestIdCursorPage
    queryset = AnswerRun.objects.none()

    def get_serializer_class(self) -> Any:
        return s.RunListSerializer if self.action == "list" else s.RunSerializer

    def get_queryset(self) -> Any:
        if self._fake():
            return self.queryset
        runs = selectors.run_list_for_user(user=self.request.user)
        if self.action != "list":
            return runs
        query = self._query(s.RunFilterSerializer)
        filters = {"prompt_id": query.get("prompt"), "prompt__site_id": query.get("site"),
                   "engine": query.get("engine"), "status": query.get("status"),
                   "run_on__gte": query.get("since"), "run_on__lte": query.get("until")}
        return runs.filter(**{k: v for k, v in filters.items() if v})


class StatusView(_VisibilityViewMixin, APIView):
    @extend_schema(summary="Which answer engines are configured, and your budget for today",
                   responses={200: s.EngineStatusSerializer})
    def get(self, request: Request) -> Response:
        engine = engine_status()
        return Response(s.EngineStatusSerializer({
            "configured": engine.configured, "engines": list(engine.engines), "message": engine.message,
            "budget": budget_status(owner_id=request.user.pk).as_dict()}).data)


class BudgetView(_VisibilityViewMixin, APIView):
    @extend_schema(summary="Engine runs used and left today (per owner, UTC day)",
                   responses={200: s.BudgetSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.BudgetSerializer(budget_status(owner_id=request.user.pk).as_dict()).data)
