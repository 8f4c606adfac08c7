from django.urls import path

from screening.curation import lexicon_views

urlpatterns = [
    path("", lexicon_views.lexicon, name="lexicon"),
    path("drugs/", lexicon_views.add_drug, name="lexicon-add-drug"),
    path("brands/", lexicon_views.add_brand, name="lexicon-add-brand"),
]
