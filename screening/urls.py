from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="trial-list"),
    path("trials/<str:nct_id>/", views.trial_detail, name="trial-detail"),
]
