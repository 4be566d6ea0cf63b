"""The matcher's confidence: the signals it is computed from, their fitted weights, and the
threshold from which the bot answers.

The confidence is the logistic function of the intercept plus each feature of FEATURES times its
weight in CALIBRATION; bot/faq/matcher.py computes the features and the confidence, and
bench/calibrate.py fits the weights; this module holds only the numbers.
"""

from __future__ import annotations

# The bot answers from this confidence on. Checked on the sample's tuning questions,
# cross-validated at 0.45, 0.5, 0.55 and 0.6 (docs/benchmarks.md §2, "Where it is lost"); the
# fit's weight of unanswerable questions was chosen at this threshold (§0, "Which figures chose
# anything").
DEFAULT_THRESHOLD = 0.5

# What the matcher measures of its best guess, each a number from 0 to 1 except strength:
FEATURES = (
    "coverage",  # how much of the question (rarity-weighted) the entry's whole text has
    "coverage_question",  # the same for the entry's closest phrasing
    "margin",  # how clearly the entry beats the runner-up
    "unknown",  # how much of the question is words the knowledge base never uses
    "strength",  # the entry's score per unit of the question's weight
    "missing",  # the heaviest question word the entry lacks, relative to the heaviest word
    "missing_question",  # the same for the entry's closest phrasing
    "opposite",  # 1 if the entry names only the other side of a pair the question names
    "explained",  # how much of the entry's closest phrasing the question accounts for
    "phrasings",  # how many phrasings the entry has, up to PHRASINGS_FULL
    "known_words",  # how many question words the knowledge base knows, up to KNOWN_WORDS_FULL
)
# An entry with many `Also asked` phrasings matches its questions more fully than a plain one, so
# the same coverage means less there: the calibration sees how phrased the best guess is. The
# feature was kept because it lets one calibration serve plain and phrased FAQs (docs/benchmarks.md
# §0, "Which figures chose anything"); the cap of 8 is hand-set, not checked.
PHRASINGS_FULL = 8
# How many of the question's words the knowledge base knows, up to this many: a match on one word
# says less than the same coverage of six. The feature was kept for +2 points answered correctly,
# leave one out (docs/benchmarks.md §0, "Which figures chose anything"); the cap of 8 is
# hand-set, not checked.
KNOWN_WORDS_FULL = 8
# Fitted by bench/calibrate.py on every knowledge base of bench/kbs.py (the sample's tuning sets
# and each blind-written company's questions, each plain and phrased; l2 0.01, unanswerable
# questions weighted 2.25): the intercept, and one weight per feature of FEATURES.
CALIBRATION = {
    "intercept": -3.601,
    "coverage": 0.239,
    "coverage_question": 0.269,
    "margin": 1.339,
    "unknown": -0.009,
    "strength": 1.466,
    "missing": 0.097,
    "missing_question": 0.075,
    "opposite": -0.114,
    "explained": 1.314,
    "phrasings": -0.472,
    "known_words": 1.365,
}
# The same with the semantic signal (bot/faq/semantic.py), which re-ranks the lexical candidates:
# fitted by `bench/calibrate.py --semantic` the same way (unanswerable questions weighted 2.5).
SEMANTIC_CALIBRATION = {
    "intercept": -2.958,
    "coverage": 0.286,
    "coverage_question": 0.190,
    "margin": 0.740,
    "unknown": -0.076,
    "strength": 1.523,
    "missing": -0.063,
    "missing_question": 0.074,
    "opposite": -0.175,
    "explained": 1.100,
    "phrasings": -0.480,
    "known_words": 1.434,
}
