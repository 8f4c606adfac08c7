from django.urls import path

from screening.navigation import views

app_name = "navigation"

urlpatterns = [
    # Behind her private link, beside the shortlist.
    path("s/<slug:token>/share/", views.share, name="share"),
    path("s/<slug:token>/share/stop/", views.stop_sharing, name="stop-sharing"),
    # The navigators' workspace.
    path("navigate/", views.queue, name="queue"),
    path("navigate/<str:code>/", views.case, name="case"),
    path("navigate/<str:code>/trials/<str:nct_id>/decision/", views.decide, name="decide"),
    path("navigate/<str:code>/trials/<str:nct_id>/contacts/", views.log_contact, name="log-contact"),
    path("navigate/<str:code>/notes/", views.add_note, name="add-note"),
    path("navigate/<str:code>/status/", views.set_status, name="set-status"),
    path("navigate/<str:code>/reviewed/", views.mark_reviewed, name="mark-reviewed"),
    path("navigate/<str:code>/delete/", views.delete_case, name="delete-case"),
]
