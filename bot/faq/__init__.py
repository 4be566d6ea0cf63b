"""The FAQ: load markdown entries, index them, match questions against them (matcher, with the
words it knows in vocabulary and its confidence's weights in calibration), tell small talk from
questions, and advise the FAQ's owners (doctor)."""

from bot.faq.loader import KnowledgeBase, LoadProblem, load_knowledge
from bot.faq.matcher import Match, Matcher
from bot.faq.model import Entry

__all__ = ["Entry", "KnowledgeBase", "LoadProblem", "Match", "Matcher", "load_knowledge"]
