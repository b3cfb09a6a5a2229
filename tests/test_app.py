def test_home_page_is_french_and_shows_the_network(client, make):
    make.fabrique(name="Konk Ar Lab", slug="konk-ar-lab")
    make.place(name="Tiers-lieu voisin")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert 'data-figure="fabriques">1<' in html
    assert 'data-figure="tiers_lieux">1<' in html


def test_unknown_page_is_a_french_404(client):
    response = client.get("/pas-de-page-ici")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_unknown_api_route_is_a_json_404(client):
    response = client.get("/api/v1/pas-de-route")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
