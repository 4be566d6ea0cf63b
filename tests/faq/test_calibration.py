"""The confidence's calibration, keyed by feature name, and the matcher computing it."""

from __future__ import annotations

import math

import pytest

from bot.faq.calibration import CALIBRATION, FEATURES
from bot.faq.loader import parse_faq_file
from bot.faq.matcher import Matcher

FAQ = """---
area: finance
---
## Hur krediterar jag en kundfaktura?
Öppna bokförda försäljningsfakturor och välj Skapa kreditnota.

## Hur registrerar jag en leverantörsfaktura?
Skapa en inköpsfaktura och ange leverantörens fakturanummer.
"""


def test_the_calibration_weighs_the_intercept_and_each_feature_by_name() -> None:
    assert list(CALIBRATION) == ["intercept", *FEATURES]
    assert CALIBRATION["intercept"] == -3.601
    assert CALIBRATION["known_words"] == 1.365


def test_the_confidence_is_the_logistic_of_the_weighted_features() -> None:
    match = Matcher(parse_faq_file(FAQ, "f.md")[0]).match("kreditera kundfakturan")
    assert set(match.features) == set(FEATURES)
    z = CALIBRATION["intercept"] + sum(
        CALIBRATION[name] * match.features[name] for name in FEATURES
    )
    assert match.confidence == round(1 / (1 + math.exp(-z)), 4)


def test_a_calibration_is_used_by_name_and_must_weigh_every_feature() -> None:
    entries = parse_faq_file(FAQ, "f.md")[0]
    sure = Matcher(entries, calibration={**CALIBRATION, "intercept": 10.0})
    assert sure.match("kreditera kundfakturan").confidence > 0.99
    incomplete = {name: w for name, w in CALIBRATION.items() if name != "margin"}
    with pytest.raises(ValueError, match="margin"):
        Matcher(entries, calibration=incomplete)
    with pytest.raises(ValueError, match="coverge"):
        Matcher(entries, calibration={**CALIBRATION, "coverge": 0.2})
