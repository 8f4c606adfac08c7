from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("screening.urls")),
    path("", include("screening.staff.urls")),  # /accounts/, /navigate/
    path("", include("screening.curation.urls")),  # /curate/
    path("admin/", admin.site.urls),
]

# A database error raised outside a view still gets the 503 page (see the function).
handler500 = "trialscreen.middleware.server_error"
