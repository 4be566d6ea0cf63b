"""Read the knowledge folder: FAQ markdown files with front matter, and the synonyms list.

Every problem is reported with file and line, and loading goes on with the valid entries, so one
broken file never takes the bot down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.faq.model import Entry

log = logging.getLogger(__name__)

DEFAULT_AREAS = ("finance", "warehouse", "purchasing")

_HEADING2 = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_WHY = re.compile(r"^###(?!#)\s*((?:varför|why)\b.*?)\s*#*\s*$", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
EXTRA_LINE = re.compile(r"^(also asked|tags|owner)\s*:\s*(.*)$", re.IGNORECASE)
# question_key's gaps: each run of spaces and ?!.: is one space (split at spaces is fast)
_KEY_MARKS = str.maketrans("?!.:", "    ")
_EXTRA_FIRST = frozenset("aAtToO")  # the only first letters EXTRA_LINE matches
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when it is there


def _parse_yaml(raw: str) -> object:
    """The parsed YAML, by libyaml when it is there; a broken one is parsed again by PyYAML's
    own parser, whose messages point at the line where the mistake is."""
    try:
        return yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(raw)


def _is_fence(line: str) -> bool:
    return ("```" in line or "~~~" in line) and _FENCE.match(line) is not None


class KnowledgeError(Exception):
    """The knowledge folder itself is unusable (missing, not a folder)."""


@dataclass(frozen=True)
class LoadProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class KnowledgeBase:
    root: Path
    entries: list[Entry] = field(default_factory=list)
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    files: int = 0
    areas: tuple[str, ...] = DEFAULT_AREAS  # the configured areas it was loaded with
    # areas FAQ files name that are not configured, with how many entries each could not load
    unconfigured_areas: dict[str, int] = field(default_factory=dict)


def read_knowledge_file(path: Path, name: str) -> tuple[str, None] | tuple[None, LoadProblem]:
    """A knowledge file's text, or the problem that says why it can't be read (the bot goes on
    without it)."""
    try:
        return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, LoadProblem(name, 1, f"cannot read the file (save it as UTF-8): {exc}")


def load_knowledge(
    root: Path | str, areas: Iterable[str] = DEFAULT_AREAS, *, log_problems: bool = True
) -> KnowledgeBase:
    """Load `root/faq/**/*.md` and the optional `root/synonyms.yml`."""
    root = Path(root)
    faq_dir = root / "faq"
    if not faq_dir.is_dir():
        raise KnowledgeError(f"knowledge folder {root} has no faq/ folder (expected {faq_dir})")
    allowed = tuple(areas)
    kb = KnowledgeBase(root=root, areas=allowed)
    seen: dict[str, Entry] = {}
    of_unconfigured_areas: list[LoadProblem] = []  # said in one line, not one per file
    for path in sorted(p for p in faq_dir.rglob("*") if p.suffix.lower() == ".md" and p.is_file()):
        kb.files += 1
        rel = display_path(path, root)
        text, unreadable = read_knowledge_file(path, rel)
        if text is None:
            kb.problems.append(unreadable)
            continue
        entries, problems, unconfigured = read_faq_file(text, rel, allowed)
        kb.problems.extend(problems)
        if unconfigured is not None:
            area, count = unconfigured
            kb.unconfigured_areas[area] = kb.unconfigured_areas.get(area, 0) + count
            of_unconfigured_areas.extend(problems)
        for entry in entries:
            key = question_key(entry.question)
            first = seen.get(key)
            if first is not None:
                kb.problems.append(
                    LoadProblem(rel, entry.line, f"duplicate question, first at {first.location}")
                )
                continue
            seen[key] = entry
            kb.entries.append(entry)
    syn_path = root / "synonyms.yml"
    if syn_path.exists():
        syn_name = display_path(syn_path, root)
        text, unreadable = read_knowledge_file(syn_path, syn_name)
        if text is None:
            kb.problems.append(unreadable)
        else:
            kb.synonyms, problems = parse_synonyms(text, syn_name)
            kb.problems.extend(problems)
    if kb.files == 0:
        kb.problems.append(
            LoadProblem(display_path(faq_dir, root), 0, "no FAQ files: add *.md files here")
        )
    kb.problems.sort(key=lambda p: (p.file, p.line))
    if log_problems:
        for problem in kb.problems:
            if problem not in of_unconfigured_areas:
                log.warning("knowledge: skipped %s", problem)
        unconfigured = unconfigured_areas_problem(kb)
        if unconfigured:
            log.error("%s", unconfigured)
    return kb


def unconfigured_areas_problem(kb: KnowledgeBase) -> str | None:
    """One line for the owner when FAQ files name areas the config does not define (their
    entries are not loaded), with how to fix it; None when every file's area is defined."""
    if not kb.unconfigured_areas:
        return None
    missing = sorted(kb.unconfigured_areas)
    skipped = sum(kb.unconfigured_areas.values())
    counts = ", ".join(f"{area} ({kb.unconfigured_areas[area]} entries)" for area in missing)
    sections = " and ".join(f"[areas.{area}]" for area in missing)
    defaults = (
        " ([areas] replaces the default areas: define " + ", ".join(DEFAULT_AREAS) + " there too)"
        if kb.areas == DEFAULT_AREAS
        else ""
    )
    return (
        f"knowledge: {skipped} of {skipped + len(kb.entries)} FAQ entries are skipped: their "
        f"files name areas the config does not define: {counts}; defined: "
        f"{', '.join(kb.areas)}. Add {sections} to the config file (FIRSTLINE_CONFIG){defaults}, "
        "or change `area:` in those files"
    )


def display_path(path: Path, root: Path) -> str:
    """A knowledge file's name as problems and entries show it: `knowledge/faq/x.md`."""
    try:
        return str(path.relative_to(_names_from(root)))
    except ValueError:
        return str(path)


def knowledge_file(root: Path, name: str) -> Path:
    """The file a `display_path` name stands for."""
    return _names_from(root) / name


def _names_from(root: Path) -> Path:
    return root.parent if root.name else root


def question_key(question: str) -> str:
    """Normalised question text used to find duplicates."""
    return " ".join(question.casefold().translate(_KEY_MARKS).split())


def parse_faq_file(
    text: str, file: str, areas: Iterable[str] = DEFAULT_AREAS
) -> tuple[list[Entry], list[LoadProblem]]:
    entries, problems, _ = read_faq_file(text, file, areas)
    return entries, problems


def read_faq_file(
    text: str, file: str, areas: Iterable[str] = DEFAULT_AREAS
) -> tuple[list[Entry], list[LoadProblem], tuple[str, int] | None]:
    """The file's entries and problems, and, when it names an area that is not one of `areas`,
    that area and how many entries it has (none of them loaded)."""
    lines = text.splitlines()
    meta, body_start, problem = _front_matter(lines, file)
    if problem:
        return [], [problem], None
    assert meta is not None
    allowed = tuple(areas)
    area = meta.get("area")
    if area is None or (isinstance(area, str) and not area.strip()):
        missing = f"missing area: add 'area: <one of {', '.join(allowed)}>' to the front matter"
        return [], [LoadProblem(file, 1, missing)], None
    if not isinstance(area, str):
        return [], [LoadProblem(file, 1, f"area must be one word, e.g. 'area: {allowed[0]}'")], None
    area = area.strip().lower()
    entries, problems = _entries(lines, body_start, area, file, _tag_list(meta.get("tags")))
    if area not in allowed:
        unknown = f"unknown area '{area}' (configured areas: {', '.join(allowed)})"
        return [], [LoadProblem(file, 1, unknown)], (area, len(entries))
    return entries, problems, None


def _entries(
    lines: list[str], body_start: int, area: str, file: str, file_tags: tuple[str, ...]
) -> tuple[list[Entry], list[LoadProblem]]:
    entries: list[Entry] = []
    problems: list[LoadProblem] = []
    for heading_line, question, block in _sections(lines, body_start):
        if not question:
            problems.append(LoadProblem(file, heading_line, "empty question heading"))
            continue
        entry = _entry(question, block, area, file, heading_line, file_tags)
        if entry is None:
            problems.append(LoadProblem(file, heading_line, f"empty answer for '{question}'"))
            continue
        entries.append(entry)
    if not entries and not problems:
        problems.append(
            LoadProblem(file, body_start + 1, "no entries: add '## <question>' headings")
        )
    return entries, problems


def _front_matter(lines: list[str], file: str) -> tuple[dict | None, int, LoadProblem | None]:
    if not lines or lines[0].strip() != "---":
        return (
            None,
            0,
            LoadProblem(
                file, 1, "broken front matter: the file must start with '---', 'area: ...', '---'"
            ),
        )
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            raw = "\n".join(lines[1:i])
            try:
                meta = _parse_yaml(raw) if raw.strip() else {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 1
                reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                return None, 0, LoadProblem(file, line, f"broken front matter: {reason}")
            if not isinstance(meta, dict):
                return (
                    None,
                    0,
                    LoadProblem(file, 2, "broken front matter: expected 'key: value' lines"),
                )
            return meta, i + 1, None
    return None, 0, LoadProblem(file, 1, "broken front matter: no closing '---'")


def _sections(lines: list[str], start: int) -> Iterable[tuple[int, str, list[str]]]:
    """Yield (line number, question, body lines) for each level-2 heading outside code fences."""
    joined = "\n".join(lines)  # a fence is within a line
    fenced = "```" in joined or "~~~" in joined
    marks = [
        idx
        for idx in range(start, len(lines))
        if lines[idx].startswith("##") or (fenced and _is_fence(lines[idx]))
    ]
    in_fence = False
    current: tuple[int, str] | None = None
    for idx in marks:
        line = lines[idx]
        if fenced and _is_fence(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING2.match(line)
        if heading:
            if current:
                yield current[0], current[1], lines[current[0] : idx]
            current = (idx + 1, heading.group(1).strip())
    if current:
        yield current[0], current[1], lines[current[0] :]


def _entry(
    question: str, block: list[str], area: str, file: str, line: int, file_tags: tuple[str, ...]
) -> Entry | None:
    also: list[str] = []
    tags = list(file_tags)
    owner: str | None = None
    i = 0
    while i < len(block) and not block[i].strip():
        i += 1
    while i < len(block) and (extra := _extra_line(block[i])):
        key, value = extra.group(1).lower(), extra.group(2).strip()
        if key == "also asked":
            also.extend(p.strip() for p in value.split("|") if p.strip())
        elif key == "tags":
            tags.extend(t.strip() for t in value.split(",") if t.strip())
        else:
            owner = value or None
        i += 1
    answer_lines: list[str] = block[i:]
    why_lines: list[str] | None = None
    why_title: str | None = None
    answer = "\n".join(answer_lines)
    if answer.startswith("###") or "\n###" in answer:  # a line starts with ###
        answer_lines, why_lines, why_title = _split_why(answer_lines)
        answer = "\n".join(answer_lines)
    answer = answer.strip()
    if not answer:
        return None
    why_text = "\n".join(why_lines).strip() if why_lines is not None else ""
    return Entry(
        question=question,
        answer=answer,
        area=area,
        file=file,
        line=line,
        also_asked=tuple(also),
        tags=tuple(dict.fromkeys(tags)),
        owner=owner,
        why=why_text or None,
        why_title=why_title if why_text else None,
    )


def _extra_line(line: str) -> re.Match[str] | None:
    """An `Also asked:`, `Tags:` or `Owner:` line; the regular expression only runs on lines
    that can be one."""
    stripped = line.strip()
    return EXTRA_LINE.match(stripped) if stripped[:1] in _EXTRA_FIRST else None


def _split_why(lines: list[str]) -> tuple[list[str], list[str] | None, str | None]:
    """(answer lines, why lines or None, why heading) at the first `### Varför…`/`### Why…`
    heading outside code fences."""
    answer_lines: list[str] = []
    why_lines: list[str] | None = None
    why_title: str | None = None
    in_fence = False
    for raw in lines:
        if _is_fence(raw):
            in_fence = not in_fence
        why = (
            _WHY.match(raw)
            if not in_fence and why_lines is None and raw.startswith("###")
            else None
        )
        if why:
            why_title, why_lines = why.group(1), []
        elif why_lines is not None:
            why_lines.append(raw)
        else:
            answer_lines.append(raw)
    return answer_lines, why_lines, why_title


def _tag_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(",") if t.strip())
    if isinstance(value, list):
        return tuple(str(t).strip() for t in value if str(t).strip())
    return ()


def parse_synonyms(text: str, file: str) -> tuple[list[tuple[str, ...]], list[LoadProblem]]:
    """Parse synonyms.yml: a list of groups, each a list of words or phrases."""
    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return [], [LoadProblem(file, line, f"broken YAML: {getattr(exc, 'problem', exc)}")]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [
            LoadProblem(file, 1, "expected a list of groups, e.g. '- [följesedel, delivery note]'")
        ]
    groups: list[tuple[str, ...]] = []
    bad: list[tuple[int, str]] = []
    for n, group in enumerate(data):
        if not isinstance(group, list) or len(group) < 2:
            bad.append((n, "a group needs a list of at least two words"))
            continue
        words = tuple(str(w).strip() for w in group if w is not None and str(w).strip())
        if len(words) < 2:
            bad.append((n, "a group needs at least two non-empty words"))
            continue
        groups.append(words)
    node_lines = _group_lines(text) if bad else []  # only a message needs the line numbers
    problems = [
        LoadProblem(file, node_lines[n] if n < len(node_lines) else 1, message)
        for n, message in bad
    ]
    return groups, problems


def _group_lines(text: str) -> list[int]:
    """1-based line of each top-level list item, for messages."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]
