"""Thin report API views. Ownership: the audit or report is looked up among the caller's own,
so anything else is a 404."""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits import selectors as audit_selectors
from audits.models import Audit

from .. import selectors, services
from ..exceptions import ReportNotReady
from ..formats import FORMATS, report_filename
from ..http import content_disposition, direct_report_response
from ..models import Report, ReportBranding
from . import serializers as s

_AUDIT_ID = OpenApiParameter("audit_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
_REPORT_ID = OpenApiParameter("report_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
#: The file in each format's own media type (JSON for the json format).
_FILE = {(200, "application/pdf"): OpenApiTypes.BINARY, (200, "text/html"): OpenApiTypes.STR,
         (200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): OpenApiTypes.OBJECT,
         (200, "application/xml"): OpenApiTypes.STR, (200, "text/markdown"): OpenApiTypes.STR}


class FileRenderer(BaseRenderer):
    """Lets a client ask for the file's own type (Accept: application/pdf, text/csv, ...);
    an error body is still the JSON error shape."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Any = None) -> bytes:
        if not isinstance(data, dict | list):
            return data
        # An error body (or any structured data) is JSON, and says so, even when this renderer
        # was chosen by `Accept: */*`-style negotiation or `?format=file`.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


def _audit(request: Request, audit_id: Any) -> Audit:
    try:
        return audit_selectors.audit_get_for_user(user=request.user, audit_id=audit_id)
    except Audit.DoesNotExist as exc:
        raise Http404 from exc


def _report(request: Request, report_id: Any) -> Report:
    try:
        return selectors.report_get_for_user(user=request.user, report_id=report_id)
    except Report.DoesNotExist as exc:
        raise Http404 from exc


class AuditReportsView(APIView):
    """Request a report of an audit (generated in the background) or list its reports."""

    throttle_scope = "pdf"

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(summary="Generate a report (PDF and every other format) in the background",
                   parameters=[_AUDIT_ID], request=s.ReportCreateSerializer,
                   responses={202: s.ReportSerializer,
                              409: OpenApiResponse(description="The audit has not finished.")})
    def post(self, request: Request, audit_id: str) -> Response:
        audit = _audit(request, audit_id)  # another user's audit is a 404 whatever the body
        payload = s.ReportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.report_request(audit=audit,
                                         format=payload.validated_data["format"],
                                         language=payload.validated_data["language"],
                                         user=request.user)
        return Response(s.ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": f"/api/v1/reports/{report.pk}"})

    @extend_schema(summary="Reports generated for an audit, newest first", parameters=[_AUDIT_ID],
                   responses={200: s.ReportSerializer(many=True)})
    def get(self, request: Request, audit_id: str) -> Response:
        reports = selectors.report_list_for_audit(audit=_audit(request, audit_id))[:100]
        return Response(s.ReportSerializer(reports, many=True).data)


class ReportDetailView(APIView):
    throttle_scope = "audits"

    @extend_schema(summary="A report's status", parameters=[_REPORT_ID],
                   responses={200: s.ReportSerializer})
    def get(self, request: Request, report_id: str) -> Response:
        return Response(s.ReportSerializer(_report(request, report_id)).data)


class ReportDownloadView(APIView):
    throttle_scope = "audits"
    renderer_classes = (JSONRenderer, FileRenderer)

    @extend_schema(summary="Download a generated report", parameters=[_REPORT_ID],
                   responses={**_FILE,
                              409: OpenApiResponse(description="Not generated (yet).")})
    def get(self, request: Request, report_id: str) -> FileResponse:
        report = _report(request, report_id)
        if report.status != Report.Status.READY or not report.file:
            raise ReportNotReady(f"the report is {report.status.lower()}"
                                 + (f": {report.error}" if report.error else ""))
        filename = report_filename(host=services.report_host(report.audit),
                                   audit_id=str(report.audit_id), format=report.format,
                                   language=report.language)
        response = FileResponse(report.file.open("rb"),
                                content_type=FORMATS[report.format].content_type)
        response["Content-Disposition"] = content_disposition(filename, inline=False)
        response["Content-Length"] = str(report.size)
        return response


class AuditReportDirectView(APIView):
    """HTML, CSV, JSON, JUnit and Markdown rendered on request (streamed for the row-based
    formats); PDF goes through the background generation above."""

    throttle_scope = "audits"
    renderer_classes = (JSONRenderer, FileRenderer)

    @extend_schema(summary="An audit's report in a direct format (html, csv, pages_csv, json, "
                           "junit, md)",
                   parameters=[_AUDIT_ID, s.DirectReportQuerySerializer,
                               OpenApiParameter("fmt", str, OpenApiParameter.PATH,
                                                enum=list(s.DIRECT_FORMATS))],
                   responses={**{key: value for key, value in _FILE.items()
                                 if key[1] != "application/pdf"},
                              409: OpenApiResponse(description="The audit has not finished.")})
    def get(self, request: Request, audit_id: str, fmt: str) -> HttpResponse:
        if fmt not in s.DIRECT_FORMATS:
            raise Http404
        audit = _audit(request, audit_id)
        query = s.DirectReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        language = query.validated_data["lang"]
        return direct_report_response(audit=audit, fmt=fmt, language=language)


class BrandingView(APIView):
    """The caller's white-label settings for reports."""

    throttle_scope = "audits"

    def _current(self, request: Request) -> ReportBranding:
        return (ReportBranding.objects.filter(owner=request.user).first()
                or ReportBranding(owner=request.user))

    @extend_schema(summary="Your report branding", responses={200: s.BrandingSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.BrandingSerializer(self._current(request)).data)

    @extend_schema(summary="Replace your report branding", request=s.BrandingSerializer,
                   responses={200: s.BrandingSerializer})
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(summary="Change part of your report branding", request=s.BrandingSerializer,
                   responses={200: s.BrandingSerializer})
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)

    def _save(self, request: Request, *, partial: bool) -> Response:
        payload = s.BrandingSerializer(self._current(request), data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        branding = services.branding_update(owner=request.user, **payload.validated_data)
        return Response(s.BrandingSerializer(branding).data)
