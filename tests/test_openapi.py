"""GET /api/v1/openapi.json describes exactly the routes the app serves."""
from __future__ import annotations

import re

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_operations(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            operations.add((path, method.lower()))
    return operations


def spec_operations(spec: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_spec_is_openapi_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_spec_paths_and_methods_equal_the_app_url_map(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    served, described = app_operations(app), spec_operations(spec)
    assert served - described == set(), "routes served but not described"
    assert described - served == set(), "routes described but not served"


def test_every_operation_declares_responses_and_errors_use_the_error_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.get("responses")
            assert responses, f"{method} {path} has no responses"
            for status, response in responses.items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"
            needs_token = operation.get("security", spec["security"]) != []
            if needs_token:
                assert "401" in responses, f"{method} {path} needs a token but documents no 401"
            params = set(re.findall(r"{(\w+)}", path))
            declared = {p["name"] for p in operation.get("parameters", []) + item.get("parameters", [])
                        if p.get("in") == "path"}
            assert params == declared, f"{method} {path}: path parameters {params} vs {declared}"


def _operations(spec: dict):  # type: ignore[no-untyped-def]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_that_reads_a_body_documents_the_413(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method, operation in _operations(spec):
        if method in {"post", "put", "patch"}:
            assert "413" in operation["responses"], f"{method} {path}"


def test_the_page_limits_in_the_spec_are_the_ones_the_server_enforces(client, make):
    headers = make.api_headers(make.user(role="admin"))
    spec = client.get("/api/v1/openapi.json").get_json()
    paginated = [(path, operation) for path, method, operation in _operations(spec)
                 if method == "get" and any(p["name"] == "page" for p in operation.get("parameters", []))]
    assert len(paginated) >= 6
    for path, operation in paginated:
        if "{" in path:
            continue
        assert "422" in operation["responses"], path
        for param in operation["parameters"]:
            if param["name"] not in ("page", "per_page"):
                continue
            schema = param["schema"]
            for value in (schema["minimum"] - 1, schema["maximum"] + 1):
                response = client.get(path, query_string={param["name"]: value}, headers=headers)
                assert response.status_code == 422, (path, param["name"], value)
                assert param["name"] in response.get_json()["error"]["fields"]
            response = client.get(path, query_string={param["name"]: schema["maximum"]}, headers=headers)
            assert response.status_code == 200, (path, param["name"], response.get_json())


def test_required_names_in_request_bodies_cannot_be_empty(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    bodies = {
        ("/api/v1/accounts", "post"), ("/api/v1/places", "post"), ("/api/v1/places/{slug}/resources", "post"),
    }
    for path, method in bodies:
        schema = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert schema["properties"]["name"]["minLength"] == 1, path
