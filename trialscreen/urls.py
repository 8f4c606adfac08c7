from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # Before screening's: its /s/<token>/<step>/ would take /s/<token>/share/ for a question.
    path("", include("screening.navigation.urls")),  # /s/<token>/share/, /navigate/
    path("", include("screening.urls")),
    path("", include("screening.staff.urls")),  # /accounts/
    path("", include("screening.curation.urls")),  # /curate/
    path("admin/", admin.site.urls),
]

# A database error raised outside a view still gets the 503 page (see the function).
handler500 = "trialscreen.middleware.server_error"
