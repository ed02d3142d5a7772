"""The managers' audit page and its exports (CSV streamed, XLSX from a temporary file)."""

from urllib.parse import urlencode

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from licensing import audit, forms
from licensing.models import AuditAction
from licensing.views import responses
from licensing.views.decorators import manager_required

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _keyset(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


@require_GET
@manager_required("view the audit trail")
def audit_list(request):
    form = forms.AuditFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.filters() if valid else audit.queries.AuditFilters()
    page = None
    if valid:
        page = audit.queries.audit_page(
            filters=filters, before=_keyset(request, "before"), after=_keyset(request, "after")
        )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "export_query": _query(filters),
    }
    return responses.page(request, "licensing/audit_list.html", context, fragment="results")


@require_GET
@manager_required("export the audit trail", action=AuditAction.AUDIT_EXPORT)
def audit_export_csv(request):
    export = _export_or_none(request)
    if export is None:
        return _refused(request, "The filter is not valid, so nothing was exported.", status=400)
    return csv_response(export)


@require_GET
@manager_required("export the audit trail", action=AuditAction.AUDIT_EXPORT)
def audit_export_xlsx(request):
    export = _export_or_none(request)
    if export is None:
        return _refused(request, "The filter is not valid, so nothing was exported.", status=400)
    return xlsx_response(request, export)


def csv_response(export: audit.exports.Export) -> StreamingHttpResponse:
    """The export streamed as CSV (also used by the admin's export action)."""
    response = StreamingHttpResponse(
        audit.exports.csv_chunks(export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename("csv")}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy must pass the bytes on as they come
    return response


def xlsx_response(request, export: audit.exports.Export):
    """The export as an XLSX download, or a page saying why it cannot be one."""
    try:
        workbook, _rows = audit.exports.xlsx_file(export)
    except audit.exports.ExportTooLarge as exc:
        return _refused(request, str(exc), status=422)
    response = FileResponse(
        workbook, as_attachment=True, filename=export.filename("xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def _export_or_none(request) -> audit.exports.Export | None:
    form = forms.AuditFilterForm(request.GET)
    if not form.is_valid():
        return None
    filters = form.filters()
    return audit.exports.Export(
        meta=audit.RequestMeta.from_request(request),
        events=audit.queries.audit_filter(filters=filters),
        description=filters.describe(),
    )


def _refused(request, message: str, *, status: int):
    form = forms.AuditFilterForm(request.GET)
    form.is_valid()
    context = {"message": message, "form": form, "back_query": request.GET.urlencode()}
    return render(request, "licensing/audit_export_refused.html", context, status=status)


def _query(filters: audit.queries.AuditFilters) -> str:
    return urlencode(filters.as_params())
