from django.urls import path

from screening.staff import accounts, curate, navigate

app_name = "staff"

urlpatterns = [
    path("accounts/sign-in/", accounts.sign_in, name="sign-in"),
    path("accounts/sign-out/", accounts.sign_out, name="sign-out"),
    # Landing pages until the workspaces themselves (issues 13 and 14) take these paths over.
    path("curate/", curate.workspace, name="curate"),
    path("navigate/", navigate.workspace, name="navigate"),
]
