from kerjasama_flow.extensions import db


def test_login_redirects_by_role(client, world, auth):
    response = auth.login(world.opd)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/tasks"


def test_wrong_password_is_refused_in_indonesian(client, world, auth):
    response = auth.login(world.admin, password="salah")
    assert response.status_code == 200
    assert "Email atau kata sandi salah" in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, world, auth):
    world.admin.is_active = False
    db.session.commit()
    response = auth.login(world.admin)
    assert "Email atau kata sandi salah" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/agreements")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_offsite_next_is_ignored(client, world):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": world.admin.email, "password": "rahasia-demo-1"},
    )
    assert response.headers["Location"] == "/"
