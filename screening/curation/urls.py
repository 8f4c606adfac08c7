from django.urls import include, path

from screening.curation import queue_views, views

app_name = "curation"

urlpatterns = [
    path("curate/", queue_views.queue, name="queue"),
    path("curate/lexicon/", include("screening.curation.lexicon_urls")),
    path("curate/trials/<str:nct_id>/", views.trial, name="trial"),
    path("curate/trials/<str:nct_id>/items/<int:index>/", views.item, name="item"),
    path("curate/trials/<str:nct_id>/items/<int:index>/edit/", views.edit_item, name="edit-item"),
    path("curate/trials/<str:nct_id>/preview/", views.preview_changes, name="preview"),
    path("curate/trials/<str:nct_id>/save/", views.save_reading, name="save"),
    path("curate/trials/<str:nct_id>/discard/", views.discard_draft, name="discard"),
    path("curate/trials/<str:nct_id>/history/", views.history, name="history"),
    path("curate/trials/<str:nct_id>/history/<int:version>/restore/", views.restore, name="restore"),
]
