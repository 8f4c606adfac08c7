from django.urls import path

from screening import questionnaire_views, views

app_name = "screening"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="trial-list"),
    path("trials/<str:nct_id>/", views.trial_detail, name="trial-detail"),
    path("start/", questionnaire_views.start, name="start"),
    path("glossary/", questionnaire_views.glossary, name="glossary"),
    path("s/<slug:token>/review/", questionnaire_views.review, name="review"),
    path("s/<slug:token>/shortlist/", questionnaire_views.shortlist, name="shortlist"),
    path("s/<slug:token>/shortlist.json", questionnaire_views.shortlist_json, name="shortlist-json"),
    path("s/<slug:token>/profile.json", questionnaire_views.profile_json, name="profile-json"),
    path("s/<slug:token>/mark/<str:nct_id>/", questionnaire_views.mark, name="mark"),
    path("s/<slug:token>/sheet/", questionnaire_views.sheet, name="sheet"),
    path("s/<slug:token>/sheet.pdf", questionnaire_views.sheet_pdf, name="sheet-pdf"),
    path("s/<slug:token>/<slug:slug>/", questionnaire_views.step, name="step"),
]
