from django.urls import path

from screening.staff import accounts

app_name = "staff"

urlpatterns = [
    path("accounts/sign-in/", accounts.sign_in, name="sign-in"),
    path("accounts/sign-out/", accounts.sign_out, name="sign-out"),
]
