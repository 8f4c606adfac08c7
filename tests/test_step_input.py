"""What a step takes in: a ZIP code typed on any keyboard, and only a form posted as browsers post it."""

from __future__ import annotations

import pytest

from screening.engine import geo
from screening.models import Screening
from tests.test_questionnaire import begin, errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["０２１１５", "٠٢١١٥", "۰۲۱۱۵"])
def test_a_zip_code_in_full_width_or_arabic_indic_digits_is_read_as_the_same_code(client, typed):
    token, _ = begin(client)
    response = client.post(f"/s/{token}/location/", {"postal_code": typed, "max_travel_miles": "50"})
    assert response.status_code == 302, errors(response)
    assert Screening.objects.get().answers["location"] == {"postal_code": "02115", "country": "US"}


@pytest.mark.parametrize("typed", ["⁰²¹¹⁵", "₀₂₁₁₅", "①②③④⑤", "0211⁵"])
def test_signs_that_look_like_digits_but_are_not_are_refused_in_plain_words(client, typed):
    token, _ = begin(client)
    response = client.post(f"/s/{token}/location/", {"postal_code": typed, "max_travel_miles": "50"})
    assert response.status_code == 200
    assert any("could not find that ZIP code" in error for error in errors(response))
    assert "location" not in Screening.objects.get().answers


def test_the_zip_lookup_hands_the_library_nothing_but_ascii_digits(monkeypatch):
    asked = []
    monkeypatch.setattr(geo.zipcodes, "matching", lambda code: asked.append(code) or [])
    geo.zip_point.cache_clear()
    try:
        for code in ["０２１１５", "٠٢١١٥", "⁰²¹¹⁵", "𝟎𝟐𝟏𝟏𝟓", "0211５"]:
            assert geo.zip_point(code) is None
        assert asked == []
    finally:
        geo.zip_point.cache_clear()


def saved_about_you(client) -> str:
    token, url = begin(client)
    assert client.post(url, {"age": "60", "sex": "female"}).status_code == 302
    return url


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"age": "61", "sex": "male"}'),
        ("text/plain", "age=61\r\nsex=male\r\n"),
        ("application/x-www-form-urlencoded", '{"age": "61", "sex": "male"}'),  # JSON labelled as a form
        ("multipart/form-data; boundary=XYZ", "age=61&sex=male"),  # no part at all
        ("multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-da"),  # cut off in a header
        ("multipart/form-data", '--XYZ\r\nContent-Disposition: form-data; name="age"\r\n\r\n61\r\n--XYZ--\r\n'),
    ],
    ids=["json", "plain-text", "json-as-form", "multipart-without-parts", "multipart-cut-off", "multipart-no-boundary"],
)
def test_a_body_that_is_not_a_form_is_refused_with_a_400_and_changes_nothing(client, content_type, body):
    url = saved_about_you(client)
    before = Screening.objects.get()
    response = client.post(url, body, content_type=content_type)
    assert response.status_code == 400
    assert "Anything you saved before is still there" in response.content.decode()
    after = Screening.objects.get()
    assert after.answers == before.answers == {"age": 60, "sex": "female"}
    assert after.updated_at == before.updated_at


def test_a_body_with_no_content_type_is_refused_with_a_400(client):
    url = saved_about_you(client)
    response = client.generic("POST", url, b"age=61&sex=male", content_type=None)
    assert response.status_code == 400
    assert Screening.objects.get().answers == {"age": 60, "sex": "female"}


def test_a_file_sent_with_the_answers_is_refused_with_a_400(client):
    url = saved_about_you(client)
    body = (
        '--XYZ\r\nContent-Disposition: form-data; name="age"; filename="age.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n61\r\n--XYZ--\r\n"
    )
    response = client.post(url, body, content_type="multipart/form-data; boundary=XYZ")
    assert response.status_code == 400
    assert Screening.objects.get().answers == {"age": 60, "sex": "female"}


def test_a_form_posted_as_browsers_and_htmx_post_it_is_saved(client):
    url = saved_about_you(client)
    response = client.post(url, "age=61&sex=male", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302 and Screening.objects.get().answers == {"age": 61, "sex": "male"}
    response = client.post(url, {"age": "62", "sex": "female"})  # multipart, well formed
    assert response.status_code == 302 and Screening.objects.get().answers == {"age": 62, "sex": "female"}
    # A form left blank is "Not sure" everywhere, whichever way it comes.
    response = client.post(url, "csrfmiddlewaretoken=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302 and Screening.objects.get().answers == {"age": None, "sex": None}
    client.post(url, {"age": "62"})
    response = client.post(url, {})
    assert response.status_code == 302 and Screening.objects.get().answers == {"age": None, "sex": None}
