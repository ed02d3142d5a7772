from django.contrib import admin
from django.urls import include, path

from portal import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("licensing.urls")),
]

handler403 = "licensing.views.errors.permission_denied"
handler404 = "licensing.views.errors.page_not_found"
handler500 = "licensing.views.errors.server_error"
