"""The portal's pages: staff routes, then the managers' routes grouped below."""

from django.urls import path

from licensing.views import (
    approvals,
    assignments,
    audit,
    auth,
    catalogue,
    customers,
    home,
    profile,
    renewals_bulk,
    reports,
)

staff_patterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("profile/", profile.profile, name="profile"),
    path("language/", profile.switch_language, name="switch_language"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/<int:customer_code>/", customers.customer_detail, name="customer_detail"),
    path(
        "customers/<int:customer_code>/dashboard/",
        customers.customer_dashboard,
        name="customer_dashboard",
    ),
    path("customers/<int:customer_code>/catalogue/", catalogue.catalogue, name="catalogue"),
    path(
        "customers/<int:customer_code>/assign/", assignments.license_assign, name="license_assign"
    ),
    path("customers/<int:customer_code>/demo/", assignments.demo_assign, name="demo_assign"),
    path(
        "customers/<int:customer_code>/request-approval/",
        approvals.approval_request,
        name="approval_request",
    ),
    path(
        "customers/<int:customer_code>/renewals/",
        renewals_bulk.renewals_bulk,
        name="renewals_bulk",
    ),
    path("assignments/<int:pk>/suspend/", assignments.renewal_suspend, name="renewal_suspend"),
    path("assignments/<int:pk>/resume/", assignments.renewal_resume, name="renewal_resume"),
    path(
        "assignments/<int:pk>/resolve/", assignments.assignment_resolve, name="assignment_resolve"
    ),
]

# Managers only: the audit trail (with its exports) and the overview report.
manager_patterns = [
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export.csv", audit.audit_export_csv, name="audit_export_csv"),
    path("audit/export.xlsx", audit.audit_export_xlsx, name="audit_export_xlsx"),
    path("reports/", reports.reports, name="reports"),
    path("approvals/", approvals.approval_list, name="approval_list"),
    path("approvals/<int:pk>/", approvals.approval_detail, name="approval_detail"),
]

urlpatterns = manager_patterns + staff_patterns
