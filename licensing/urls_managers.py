"""The managers' pages: the audit trail (with its exports) and the overview report."""

from django.urls import path

from licensing.views import audit, reports

urlpatterns = [
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export_csv, name="audit_export_csv"),
    path("audit/export.xlsx", audit.audit_export_xlsx, name="audit_export_xlsx"),
    path("reports/", reports.reports, name="reports"),
]
