"""The portal's URLs plus /bench/trivial/, the reference for throughput ratios."""

from django.http import HttpResponse
from django.urls import path

from portal import urls as portal_urls


def trivial(request):
    """The cheapest page behind the same middleware (session, auth, CSRF, headers)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *portal_urls.urlpatterns]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
