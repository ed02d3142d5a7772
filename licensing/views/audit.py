"""The managers' audit page and its exports (CSV streamed, XLSX from a temporary file)."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from licensing import audit, forms
from licensing.audit import words
from licensing.models import AuditAction
from licensing.views import params, responses
from licensing.views.decorators import manager_required


@require_GET
@manager_required(gettext_lazy("view the audit trail"))
def audit_list(request):
    form = forms.AuditFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.filters() if valid else audit.queries.AuditFilters()
    page = None
    if valid:
        page = audit.queries.audit_page(
            filters=filters,
            before=params.number(request.GET, "before"),
            after=params.number(request.GET, "after"),
        )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        # In words, with customers' names (one query) and the vendor calls (one more).
        "rows": words.describe(page.events, with_calls=True) if page is not None else [],
        "export_query": _query(filters),
    }
    return responses.page(request, "licensing/audit_list.html", context, fragment="results")


@require_GET
@manager_required(gettext_lazy("export the audit trail"), action=AuditAction.AUDIT_EXPORT)
def audit_export_csv(request):
    export = _export_or_none(request)
    if export is None:
        return _refused(request, _("The filter is not valid, so nothing was exported."), status=400)
    return audit.exports.csv_response(export)


@require_GET
@manager_required(gettext_lazy("export the audit trail"), action=AuditAction.AUDIT_EXPORT)
def audit_export_xlsx(request):
    export = _export_or_none(request)
    if export is None:
        return _refused(request, _("The filter is not valid, so nothing was exported."), status=400)
    try:
        return audit.exports.xlsx_response(export)
    except audit.exports.ExportTooLarge as exc:
        return _refused(request, str(exc), status=422)


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
