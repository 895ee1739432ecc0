"""The "Kirim via WhatsApp" link on a task: phone normalisation and the prefilled text."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from kerjasama_flow.extensions import db
from kerjasama_flow.tasks.messaging import normalise_phone, whatsapp_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-789", "628123456789"),
        ("+62 812 3456 789", "628123456789"),
        ("62 812 3456 789", "628123456789"),
        ("812 3456 789", "628123456789"),
        ("(0342) 801234", "62342801234"),
        ("", None),
        (None, None),
        ("12345", None),
    ],
)
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


def parsed(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "wa.me")
    return parts.path.strip("/"), parse_qs(parts.query)["text"][0]


def test_text_and_agency_phone(app, world):
    world.agency.phone = "0812-1111-2222"
    phone, text = parsed(whatsapp_url(world.task, "https://kerjasama.example/tasks/7"))
    assert phone == "6281211112222"
    assert world.task.title in text
    assert "Kerja sama: Pasokan pangan ke DKI" in text
    assert "Tenggat: 30 September 2025" in text
    assert "https://kerjasama.example/tasks/7" in text


def test_assignee_phone_comes_first(app, world):
    world.agency.phone = "0812-1111-2222"
    world.opd.phone = "+62 813 3333 4444"
    world.task.assignee = world.opd
    phone, _ = parsed(whatsapp_url(world.task, "u"))
    assert phone == "6281333334444"


def test_without_a_phone_the_user_picks_the_contact(app, world):
    world.agency.phone = None
    url = whatsapp_url(world.task, "u")
    assert url.startswith("https://wa.me/?text=")
    assert " " not in url and "\n" not in url


def test_link_on_the_task_page(client, auth, world):
    world.agency.phone = "081211112222"
    db.session.commit()
    auth.login(world.opd)
    page = client.get(f"/tasks/{world.task.id}").get_data(as_text=True)
    assert "Kirim via WhatsApp" in page
    assert 'href="https://wa.me/6281211112222?text=' in page
    assert f"http%3A%2F%2Flocalhost%2Ftasks%2F{world.task.id}" in page
