"""Thin analytics API views: owner-scoped selectors in, serializers out. A site or audit the
caller does not own does not exist (404)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import Audit

from .. import selectors
from . import serializers as s

_SITE = OpenApiParameter("site", str, OpenApiParameter.PATH, description="Host, e.g. example.com")


class SiteListView(APIView):
    throttle_scope = "audits"

    @extend_schema(summary="Your audited sites", responses={200: s.SiteSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(s.SiteSerializer(selectors.site_list_for_user(user=request.user),
                                         many=True).data)


class SiteTrendView(APIView):
    throttle_scope = "audits"

    @extend_schema(summary="Scores and issue counts of a site across its completed audits",
                   parameters=[_SITE], responses={200: s.SiteTrendSerializer})
    def get(self, request: Request, site: str) -> Response:
        try:
            points = selectors.site_trend(user=request.user, site=site)
        except Audit.DoesNotExist as exc:
            raise Http404 from exc
        return Response(s.SiteTrendSerializer({"site": site.lower(), "points": points}).data)


class PortfolioView(APIView):
    throttle_scope = "audits"

    @extend_schema(summary="All your sites: latest scores, change since the previous audit, "
                           "audits running", responses={200: s.PortfolioSerializer})
    def get(self, request: Request) -> Response:
        sites = [site.as_dict() for site in selectors.portfolio_for_user(user=request.user)]
        totals = {"sites": len(sites), "audits": sum(x["audits"] for x in sites),
                  "running": sum(x["running"] for x in sites)}
        return Response(s.PortfolioSerializer({"sites": sites, "totals": totals}).data)


class CompareView(APIView):
    throttle_scope = "audits"

    @extend_schema(summary="Compare an audit with an earlier one: new, fixed and persisting issues",
                   parameters=[s.CompareQuerySerializer],
                   responses={200: s.ComparisonSerializer,
                              404: OpenApiResponse(description="No such audit, or it belongs to "
                                                               "someone else.")})
    def get(self, request: Request) -> Response:
        query = s.CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            comparison = selectors.audit_comparison_for_user(
                user=request.user, audit_id=query.validated_data["audit"],
                previous_id=query.validated_data.get("previous"))
        except Audit.DoesNotExist as exc:
            raise Http404 from exc
        return Response(s.ComparisonSerializer(comparison.as_dict()).data)
