"""Response templates: the shipped files load, mistakes are one line naming file/template/field, and
filling inserts values once, as plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.responses.compose import fill
from reviewer.responses.templates import (
    PLACEHOLDERS,
    TemplateError,
    load_file,
    load_folder,
    parse_templates,
    response_sla_hours,
    shipped_templates,
)

GOOD = {
    "channel": "partner",
    "sla_hours": 24,
    "template": [{"id": "t1", "title": "T", "actions": ["remove"], "subject": "S {case_id}", "body": "B"}],
}


def _with(**template: object) -> dict[str, object]:
    return {**GOOD, "template": [{**GOOD["template"][0], **template}]}  # type: ignore[index]


def test_the_shipped_templates_load_for_the_four_channels() -> None:
    shipped = shipped_templates()
    assert set(shipped) == {"partner", "media", "staff", "regulator"}
    for channel in shipped.values():
        assert channel.templates and channel.sla_hours > 0
        actions = {a for t in channel.templates for a in t.actions}
        assert {"keep", "remove", "escalate"} <= actions
    assert response_sla_hours()["staff"] < response_sla_hours()["regulator"]
    assert "user_report" not in response_sla_hours()  # a channel without a file expects no response


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"subject": "Hi {requester}"},
            "partner.toml: template 't1': subject: unknown placeholder {requester}",
        ),
        ({"body": "{case_id!r}"}, "template 't1': body: placeholder {case_id} takes no format or conversion"),
        ({"body": "{case_id:>10}"}, "takes no format or conversion"),
        ({"body": "{case_id.__class__}"}, "unknown placeholder"),
        ({"body": "{0}"}, "unknown placeholder {0}"),
        ({"body": "unclosed {case_id"}, "template 't1': body:"),
        ({"actions": ["obliterate"]}, "template 't1': 'actions' names unknown 'obliterate'"),
        ({"needs": ["gone"]}, "'needs' names unknown 'gone'"),
        ({"subject": ""}, "'subject' must be a non-empty string"),
        ({"colour": "red"}, "template 't1': unknown field 'colour'"),
        ({"id": "Bad Id"}, "'id' may hold only"),
    ],
)
def test_a_bad_template_is_one_line_naming_file_template_and_field(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_templates(_with(**change), "partner.toml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_file_level_mistakes(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="partner.toml: 'sla_hours'"):
        parse_templates({**GOOD, "sla_hours": 0}, "partner.toml")
    with pytest.raises(TemplateError, match="must be named media.toml"):
        parse_templates({**GOOD, "channel": "media"}, "partner.toml")
    with pytest.raises(TemplateError, match="at least one"):
        parse_templates({**GOOD, "template": []}, "partner.toml")
    twice = {**GOOD, "template": GOOD["template"] * 2}  # type: ignore[operator]
    with pytest.raises(TemplateError, match="used twice"):
        parse_templates(twice, "partner.toml")
    (tmp_path / "partner.toml").write_text("channel = [", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"^partner\.toml: "):
        load_file(tmp_path / "partner.toml")


def test_a_folder_of_good_files_loads(tmp_path: Path) -> None:
    (tmp_path / "partner.toml").write_text(
        'channel = "partner"\nsla_hours = 2.5\n[[template]]\nid = "a"\ntitle = "A"\nactions = ["keep"]\n'
        'needs = ["decided", "escalated"]\nsubject = "S"\nbody = "{reviewer}"\n',
        encoding="utf-8",
    )
    loaded = load_folder(tmp_path)
    assert loaded["partner"].sla_hours == 2.5
    assert loaded["partner"].templates[0].needs == ("decided", "escalated")


def test_values_go_in_once_as_plain_text() -> None:
    template = parse_templates(
        _with(subject="{case_id} {reference}", body="{requester_name}|{reviewer}"), "partner.toml"
    )
    values = dict.fromkeys(PLACEHOLDERS, "")
    values |= {
        "case_id": "<img src=x>",
        "reference": "{reviewer}",  # not expanded again
        "requester_name": "{requester_name}{0}{case_id!r}",
        "reviewer": "ann",
    }
    subject, body = fill(template.templates[0], values)
    assert subject == "<img src=x> {reviewer}"
    assert body == "{requester_name}{0}{case_id!r}|ann"


def test_templates_fitting_the_decision_come_first() -> None:
    partner = shipped_templates()["partner"]
    assert partner.for_action("keep")[0].fits("keep")
    assert partner.for_action("escalate")[0].id == "partner-escalated"
    assert len(partner.for_action(None)) == len(partner.templates)


def test_what_the_case_does_not_know_is_a_visible_marker_to_replace() -> None:
    import uuid
    from datetime import UTC, datetime

    from reviewer.responses.compose import ComposeContext, placeholder_values

    ctx = ComposeContext(
        case_id=uuid.uuid4(),
        external_id="ESC-2",
        channel="regulator",
        status="escalated",
        requester=None,
        requester_locked=False,
        response_due_at=datetime(2026, 12, 2, tzinfo=UTC),
        decision=None,
    )
    values = placeholder_values(ctx, None, "tester")
    assert values["requester_name"] == "[requester name]"
    assert values["reference"] == "[reference]" and values["decided_at"] == "[decided at]"
    assert values["case_id"] == "ESC-2" and values["reviewer"] == "tester"
