"""Logging in and out: Django's views with the portal's templates."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login passes the request to authenticate(), which django-axes needs."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


# Django's LogoutView accepts POST only: a link could be followed by a prefetch.
LogoutView = auth_views.LogoutView
