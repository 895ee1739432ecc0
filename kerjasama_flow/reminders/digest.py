"""The daily digest: one message per recipient and channel listing all their pending items,
grouped by rule with the late ones first, each with an absolute link to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from kerjasama_flow.accounts.models import User
from kerjasama_flow.links import absolute_url
from kerjasama_flow.reminders.models import Outbox, Rule

# Late work first: what is already overdue, then what leadership escalates, then today's,
# then what is coming; stalled agreements last.
RULE_ORDER = (
    Rule.OVERDUE,
    Rule.ESCALATION,
    Rule.DUE_TODAY,
    Rule.DUE_SOON,
    Rule.ENDING,
    Rule.DORMANT,
)

# "2 terlambat, 1 jatuh tempo hari ini" in the subject.
RULE_COUNT_WORDS = {
    Rule.OVERDUE: "terlambat",
    Rule.ESCALATION: "eskalasi",
    Rule.DUE_TODAY: "jatuh tempo hari ini",
    Rule.DUE_SOON: "segera jatuh tempo",
    Rule.ENDING: "segera berakhir",
    Rule.DORMANT: "kerja sama mandek",
}

ITEM_KIND_LABELS = {"task": "Tugas", "mou": "KB/MoU", "pks": "PKS", "agreement": "Kerja sama"}

SUBJECT_PREFIX = "Pengingat tindak lanjut kerja sama"


@dataclass(frozen=True)
class DigestItem:
    kind_label: str
    title: str
    link: str
    due_on: date | None
    is_end_date: bool  # an MoU/PKS's end date rather than a task's due date


@dataclass
class DigestGroup:
    rule: Rule
    items: list[DigestItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.rule.label


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str | None
    item_count: int


def group_rows(rows: Iterable[Outbox]) -> list[DigestGroup]:
    """Rows grouped by rule in ``RULE_ORDER``; an item that is pending for several periods of
    the same rule (a retry that spans days) is listed once."""
    by_rule: dict[Rule, DigestGroup] = {}
    seen: set[tuple[str, int, Rule]] = set()
    ordered = sorted(rows, key=lambda row: (row.due_on or date.max, row.title, -(row.id or 0)))
    for row in ordered:
        rule = Rule(row.rule)
        key = (row.item_kind, row.item_id, rule)
        if key in seen:
            continue
        seen.add(key)
        by_rule.setdefault(rule, DigestGroup(rule)).items.append(
            DigestItem(
                kind_label=ITEM_KIND_LABELS.get(row.item_kind, row.item_kind),
                title=row.title,
                link=absolute_url(row.url),
                due_on=row.due_on,
                is_end_date=rule == Rule.ENDING,
            )
        )
    return [by_rule[rule] for rule in RULE_ORDER if rule in by_rule]


def subject_for(groups: list[DigestGroup]) -> str:
    counts = ", ".join(f"{len(g.items)} {RULE_COUNT_WORDS[g.rule]}" for g in groups)
    return f"{SUBJECT_PREFIX}: {counts}" if counts else SUBJECT_PREFIX


def _context(recipient: User, groups: list[DigestGroup]) -> dict:
    return {
        "recipient": recipient,
        "government": recipient.government,
        "groups": groups,
        "subject": subject_for(groups),
        "account_url": absolute_url("/account"),
        "tasks_url": absolute_url("/tasks"),
    }


def render(name: str, context: dict) -> str:
    """Render with the app's Jinja environment (its filters, autoescaping for .html) but
    without the request's context processors: digests are built by jobs, outside requests."""
    return current_app.jinja_env.get_template(name).render(**context)


def build_email(recipient: User, rows: Iterable[Outbox]) -> Digest:
    groups = group_rows(rows)
    context = _context(recipient, groups)
    return Digest(
        subject=context["subject"],
        text=render("reminders/digest_email.txt", context),
        html=render("reminders/digest_email.html", context),
        item_count=sum(len(g.items) for g in groups),
    )


def build_whatsapp(recipient: User, rows: Iterable[Outbox]) -> Digest:
    groups = group_rows(rows)
    context = _context(recipient, groups)
    return Digest(
        subject=context["subject"],
        text=render("reminders/digest_whatsapp.txt", context),
        html=None,
        item_count=sum(len(g.items) for g in groups),
    )
