"""Procedure text that compresses like real prose, for measuring what a phone stores: about
5 KB of Markdown (headings, steps, checklists) of words drawn from a seeded vocabulary of
invented French-looking words with a Zipf-like frequency. A phrase repeated hundreds of times
would gzip ten times smaller than a real procedure and make any budget look roomy."""

from __future__ import annotations

import random

SYLLABLES = (
    *(c + v for c in "bcdfglmnprstv" for v in "aeiou"),
    *("an", "en", "in", "on", "un", "ar", "er", "ir", "or", "ur", "al", "el", "il", "ol"),
    *("ch", "tr", "pr", "br", "gr", "pl", "cl", "é", "è", "ai", "au", "ou", "eu", "oi"),
)


def vocabulary(rng: random.Random, size: int = 2000) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size)]


# One language for all of a company's procedures, as real ones share their words. Measured
# against 5 KB pieces of this project's own docs (/work/shared, README): a piece alone gzips
# 2.07:1 here, 2.09 to 2.28:1 there; 20 pieces gzipped together are 1.26 times smaller than
# gzipped one by one, 1.25 there (a bundle of pages on the wire).
WORDS = vocabulary(random.Random(0), 4000)
WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(WORDS))]  # Zipf-like: a few common


def procedure_markdown(rng: random.Random, number: int, size: int = 5000) -> str:
    """About `size` bytes of Markdown; the same on every run for the same generator state."""
    parts = [f"# Procédure {number}\n\n"]
    total = len(parts[0].encode())
    while total < size:
        line = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(6, 16))).capitalize()
        kind = rng.random()
        if kind < 0.1:
            part = f"\n## {line[:40]}\n\n"
        elif kind < 0.45:
            part = f"- [ ] {line}\n"
        else:
            part = f"{line}.\n"
        parts.append(part)
        total += len(part.encode())
    return "".join(parts).encode()[:size].decode(errors="ignore")
