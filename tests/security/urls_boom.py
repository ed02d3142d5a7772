"""The portal's URLs plus one view that fails, to see the 500 page as a user would."""

from django.urls import include, path

from portal import urls as portal_urls

BOOM_DETAIL = "boom-detail-4c2f: the database password is hunter2"


def boom(request):
    raise RuntimeError(BOOM_DETAIL)


urlpatterns = [path("boom/", boom), path("", include(portal_urls))]

handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
