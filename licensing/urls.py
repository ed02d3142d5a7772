from django.urls import path

from licensing.views import assignments, auth, catalogue, customers

urlpatterns = [
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("", customers.home, name="home"),
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
    path("assignments/<int:pk>/suspend/", assignments.renewal_suspend, name="renewal_suspend"),
    path("assignments/<int:pk>/resume/", assignments.renewal_resume, name="renewal_resume"),
    path(
        "assignments/<int:pk>/resolve/", assignments.assignment_resolve, name="assignment_resolve"
    ),
]
