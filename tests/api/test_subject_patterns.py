"""Subject pattern rules: the default rule, insertion order, conditions, index addressing."""

from __future__ import annotations

from starlette.testclient import TestClient

from support.config_api import CONFIG

RULES = f"{CONFIG}/connector/onPremises/subjectPatternRules"
RULE = {
    "condition": {"operator": "is", "value": "Terraform", "variable": "name"},
    "description": "added by a test",
    "subjectPattern": {"CN": "Terraform", "EMAIL": "t@example.com", "C": "TC"},
}
DEFAULT = {"condition": "always true", "subjectPattern": {"CN": "${name}"}}


def test_a_fresh_connector_has_the_default_rule(admin: TestClient) -> None:
    assert admin.get(RULES).json() == [DEFAULT]


def test_new_rules_go_before_the_catch_all(admin: TestClient) -> None:
    """As recorded: the new rule is index 0, the default stays last; condition reads as text."""
    response = admin.post(RULES, json=RULE)

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{RULES}/0"
    assert admin.get(RULES).json() == [
        {
            "description": "added by a test",
            "condition": "name is Terraform",
            "subjectPattern": {"CN": "Terraform", "EMAIL": "t@example.com", "C": "TC"},
        },
        DEFAULT,
    ]


def test_update_and_delete_by_index(admin: TestClient) -> None:
    admin.post(RULES, json=RULE)

    response = admin.put(
        f"{RULES}/0",
        json={
            "condition": {"operator": "is", "value": "UpdatedValue", "variable": "login_name"},
            "subjectPattern": {"CN": "UpdatedCN"},
        },
    )

    assert response.status_code == 204
    assert admin.get(f"{RULES}/0").json() == {
        "condition": "login_name is UpdatedValue",
        "subjectPattern": {"CN": "UpdatedCN"},
    }
    assert admin.delete(f"{RULES}/0").status_code == 204
    assert admin.get(RULES).json() == [DEFAULT]
    assert admin.delete(f"{RULES}/5").status_code == 404


def test_the_older_path_works_too(admin: TestClient) -> None:
    assert admin.get(f"{CONFIG}/connector/onPremise/subjectPatternRules").json() == [DEFAULT]


def test_invalid_rules_are_rejected(admin: TestClient) -> None:
    assert admin.post(RULES, json={"subjectPattern": {"XX": "y"}}).status_code == 400
    assert admin.post(RULES, json={"subjectPattern": {"O": "no common name"}}).status_code == 400
    assert (
        admin.post(
            RULES, json={"condition": {"variable": "name"}, "subjectPattern": {"CN": "x"}}
        ).status_code
        == 400
    )
