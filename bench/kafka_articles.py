"""Generated English news articles for the Kafka tests and benchmarks (no real text: templates).

`articles(n, seed, size)` returns n article.v1 JSON lines of about `size` bytes each, built from
sentences written for this module with random places, numbers and organisations filled in. About a
quarter of the articles report key events (shelling, strikes, blackouts, ...), the rest none.
"""

from __future__ import annotations

import json
import random

PLACES = (
    "Kharkiv",
    "Odesa",
    "Lviv",
    "Warsaw",
    "Gdansk",
    "Lyon",
    "Marseille",
    "Nairobi",
    "Mombasa",
    "Sao Paulo",
    "Recife",
    "Osaka",
    "Sapporo",
    "Manila",
    "Cebu",
    "Toronto",
    "Quebec",
    "Lima",
)
COUNTRIES = ("Ukraine", "Poland", "France", "Kenya", "Brazil", "Japan", "the Philippines", "Canada", "Peru")
ORGS = (
    "the port authority",
    "the national grid operator",
    "a regional hospital",
    "the transport ministry",
    "a local steelworks",
    "the teachers' union",
    "the weather service",
    "a shipping company",
)
# Sentences that report a key event (flooding, shelling, strikes, blackouts, protests, ...).
EVENT_SENTENCES = (
    "Officials in {place} said {n} families had been moved to shelters after the river rose overnight.",
    "Artillery fire hit the outskirts of {place} on {day}, and {n} buildings were reported damaged.",
    "Workers at {org} in {place} walked out on {day} over pay, halting production for a second week.",
    "Power was cut to about {n} homes in {place} after a substation was struck, {org} said.",
    "Thousands of people marched through central {place} on {day} to protest against the new fuel tax.",
    "Investigators said a cyberattack had disrupted ticketing systems at {org} for {n} hours.",
)
# Everyday news with no key event in it.
PLAIN_SENTENCES = (
    "{org} in {country} announced a {pct} percent rise in quarterly revenue on {day}.",
    "Forecasters said the weekend near {place} would be mild, with light winds and some sun.",
    "The central bank of {country} held its key rate at {pct} percent, citing slowing inflation.",
    "A magnitude {mag} earthquake shook the area around {place} early on {day}; no damage was reported.",
    "The football club from {place} won {n} to 1 at home on {day}, moving up to third in the table.",
    "Researchers in {country} said the new vaccine trial had enrolled {n} volunteers so far.",
    "Local elections in {place} drew a turnout of {pct} percent, the highest in a decade.",
    "A new exhibition of modern sculpture opened at the city museum in {place} on {day}.",
    "The council in {place} approved a budget of {n} million for road repairs next year.",
    "Ticket sales for the summer festival in {place} rose by {pct} percent compared with last year.",
)
# Share of articles that contain event sentences: most news reports no key event.
EVENT_SHARE = 0.25

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def sentence(rng: random.Random, templates: tuple[str, ...] = PLAIN_SENTENCES) -> str:
    return rng.choice(templates).format(
        place=rng.choice(PLACES),
        country=rng.choice(COUNTRIES),
        org=rng.choice(ORGS),
        day=rng.choice(DAYS),
        n=rng.randint(2, 4000),
        pct=rng.randint(1, 60),
        mag=rng.randint(30, 72) / 10,
    )


def article(i: int, rng: random.Random, size: int = 3000, prefix: str = "gen") -> dict[str, object]:
    """One article.v1 object whose body is about `size` characters."""
    parts: list[str] = []
    length = 0
    eventful = rng.random() < EVENT_SHARE
    while length < size:
        parts.append(sentence(rng, EVENT_SENTENCES if eventful and rng.random() < 0.3 else PLAIN_SENTENCES))
        length += len(parts[-1]) + 1
    return {
        "id": f"{prefix}-{i}",
        "title": sentence(rng).rstrip("."),
        "body": " ".join(parts),
        "source": "newswatch-generator",
        "language": "en",
        "published_at": "2026-11-25T12:00:00Z",
    }


def articles(n: int, seed: int = 7, size: int = 3000, prefix: str = "gen") -> list[bytes]:
    """n article JSON lines (bytes, no newline)."""
    rng = random.Random(seed)
    return [json.dumps(article(i, rng, size, prefix)).encode() for i in range(n)]


# Messages the worker must dead-letter, with the reason it should give.
INVALID = (
    (b"this is not json", "decode_error"),
    (b'{"id": "no-body"}', "schema_invalid"),
    (b"\xff\xfe\x00 not utf-8", "decode_error"),
    (b'{"id": 42, "body": "id is not a string"}', "schema_invalid"),
)
