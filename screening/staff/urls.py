from django.urls import path

from screening.staff import accounts, navigate

app_name = "staff"

urlpatterns = [
    path("accounts/sign-in/", accounts.sign_in, name="sign-in"),
    path("accounts/sign-out/", accounts.sign_out, name="sign-out"),
    # A landing page until the navigators' workspace (issue 14) takes this path over.
    path("navigate/", navigate.workspace, name="navigate"),
]
