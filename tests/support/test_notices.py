"""Each notice survives the outbox: its payload reads back as the same notice, and a payload of
no known kind is an error, not a guess."""

from __future__ import annotations

import json

import pytest

from bot.support.notices import (
    DigestChartNotice,
    DigestNotice,
    EscalationNotice,
    EscalationStep,
    Notice,
    OpsNotice,
    ReplyNotice,
    Tone,
    UnknownNotice,
    UptimeChange,
    UptimeNotice,
    notice_from_payload,
)

NOTICES: list[Notice] = [
    *(EscalationNotice(step, 7, 31, "U0ANNA") for step in EscalationStep),
    OpsNotice("C0OPS", "Uppgradering på fredag", "U0OLA", "uppgraderingar", Tone.WARNING),
    OpsNotice("C0OPS", "Ingen uppgradering planerad"),
    *(
        UptimeNotice(change, "C0OPS", "erp-web", "ERP webb", "timeout", "2026-12-03", 12, None, "x")
        for change in UptimeChange
    ),
    DigestNotice("C0OPS", "Veckorapport", [["Roadmap", ["a", "b"]]], [["Drift", "U0OLA"]]),
    DigestChartNotice(
        "C0OPS",
        {
            "title": "Supporten vecka 48",
            "weeks": [
                {
                    "week": "2026-48",
                    "starts": "2026-11-23",
                    "questions": {"Ekonomi": 3},
                    "answered": 2,
                    "opened": 1,
                    "closed": 0,
                    "hours_to_answer": None,
                }
            ],
        },
    ),
    ReplyNotice({"channel": "C1", "thread_ts": "1.1", "text": "t", "blocks": []}, 4),
]


@pytest.mark.parametrize("notice", NOTICES, ids=lambda n: type(n).__name__)
def test_a_notice_reads_back_from_its_stored_payload(notice: Notice) -> None:
    stored = json.loads(json.dumps(notice.payload()))
    assert notice_from_payload(stored) == notice


def test_the_payloads_keep_the_kinds_stored_before_the_notices_were_typed() -> None:
    kinds = [n.payload()["kind"] for n in NOTICES]
    assert kinds[:7] == ["assigned", "reminder", "triage", "vendor", "progress", "closed", "answer"]
    assert kinds[7] == "changed"
    assert kinds[8:] == [
        "ops",
        "ops",
        "uptime_down",
        "uptime_still_down",
        "uptime_recovered",
        "digest",
        "digest_chart",
        "reply",
    ]


def test_a_post_kept_current_is_named_in_its_payload_and_older_payloads_have_none() -> None:
    kept = EscalationNotice(EscalationStep.ASSIGNED, 7, 31, "U0ANNA", post=3)
    assert kept.payload()["post"] == 3
    assert notice_from_payload(json.loads(json.dumps(kept.payload()))) == kept
    stored = {"kind": "assigned", "escalation": 7, "event": 31, "to": "U0ANNA"}  # before posts
    assert notice_from_payload(stored) == EscalationNotice(
        EscalationStep.ASSIGNED, 7, 31, "U0ANNA", None
    )


@pytest.mark.parametrize(
    "payload",
    [{}, {"kind": "telegram", "to": "x"}, {"kind": "uptime_sideways", "to": "C1"}],
    ids=["no kind", "unknown kind", "unknown uptime change"],
)
def test_an_unknown_kind_is_an_error(payload: dict) -> None:
    with pytest.raises(UnknownNotice):
        notice_from_payload(payload)


def test_a_payload_missing_a_field_is_an_error() -> None:
    with pytest.raises(TypeError):
        notice_from_payload({"kind": "assigned", "escalation": 1})
