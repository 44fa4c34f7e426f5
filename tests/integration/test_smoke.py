"""A person logs in and sees the five areas."""

from tests.conftest import Client, Company


def test_login_then_areas(client: Client, company: Company) -> None:
    assert client.get("/", follow_redirects=False).status_code == 303
    client.login("staff.a@test.fr")
    for path in ("/", "/schedule", "/interventions", "/rest", "/team", "/settings"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
    assert "Marc Manager" in client.get("/team").text
