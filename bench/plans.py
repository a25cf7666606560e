"""Generate large, realistic plans for the benchmarks (with gaps, so the review has work)."""

from __future__ import annotations

from typing import Any

import yaml

PLATFORMS = ["bluesky", "mastodon", "instagram", "linkedin", "youtube", "threads", "x", "facebook"]


def make_plan(scale: int) -> dict[str, Any]:
    """scale=100 gives the issue's large plan: 500 objectives, 2,000 channels, 5,000 pillars, 10,000 rules."""
    n_obj, n_chan, n_pil, n_rule = 5 * scale, 20 * scale, 50 * scale, 100 * scale
    n_people, n_goals, n_strat, n_aud = 3 * scale, 2 * scale, 4 * scale, 6 * scale
    people = [{"id": f"p{i}", "name": f"Person {i}", "email": f"p{i}@example.com"} for i in range(n_people)]
    return {
        "strata": 1,
        "workspace": {"name": "Benchmark Co", "timezone": "Europe/Berlin"},
        "people": people,
        "governance": {
            "driver": "brand",
            "ringleader": "p0",
            "budget": {"amount": 9000, "currency": "EUR", "per": "month"},
            "stakeholders": [{"id": f"s{i}", "name": f"Team {i}", "role": "feeds questions"} for i in range(scale)],
        },
        "goals": [{"id": f"g{i}", "statement": f"Goal number {i}"} for i in range(n_goals)],
        "objectives": [
            {
                "id": f"o{i}",
                "kind": "awareness",
                "statement": f"Objective {i}",
                "aligns_with": f"g{i % n_goals}",
                "owner": f"p{i % n_people}",
                **({"kpi": {"metric": "followers", "baseline": 100 * i, "target": 200 * i + 1, "deadline": "2027-06-30"}} if i % 7 else {}),
            }
            for i in range(n_obj)
        ],
        "strategies": [
            {"id": f"st{i}", "statement": f"Strategy {i}", "serves": [f"o{(i * 3 + k) % n_obj}" for k in range(3)] if i % 9 else []}
            for i in range(n_strat)
        ],
        "audiences": [
            {
                "id": f"a{i}",
                "description": f"Audience {i}",
                "role": "customer",
                "desired_action": "share",
                "motivation": "news",
                "presence": {PLATFORMS[(i + k) % len(PLATFORMS)]: 500 * (i % 11 + 1) for k in range(3)},
            }
            for i in range(n_aud)
        ],
        "channels": [
            {
                "id": f"c{i}",
                "platform": PLATFORMS[i % len(PLATFORMS)],
                "handle": f"acct{i}",
                **({"purpose": "branding"} if i % 13 else {}),
                "audiences": [f"a{(i + k) % n_aud}" for k in range(2)],
                "effort_hours_per_week": 1 + i % 12,
                "cadence_per_week": 3,
                "responsible": [{"person": f"p{i % n_people}", "days": ["mon", "wed", "fri"]}],
            }
            for i in range(n_chan)
        ],
        "content": {
            "mix": {"social": 0.8, "promotional": 0.2},
            "pillars": [
                {
                    "id": f"pl{i}",
                    "name": f"Pillar {i}",
                    "kind": "social" if i % 5 else "promotional",
                    "serves": [f"st{i % n_strat}"] if i % 17 else [],
                }
                for i in range(n_pil)
            ],
        },
        "response_plan": [
            {
                "id": f"r{i}",
                "when": {
                    "sentiment": ["negative", "neutral", "positive"][i % 3],
                    "channel": f"c{i % n_chan}",
                    "keywords": ["refund", "broken"],
                },
                "action": "reply",
                **({"within": "4h"} if i % 10 else {}),
                "assign_to": f"p{i % n_people}",
            }
            for i in range(n_rule)
        ],
        "measurement": {"reports": [{"kind": "monthly", "to": ["p0"]}, {"kind": "six_month", "to": ["p0"]}]},
    }


def plan_yaml(scale: int) -> bytes:
    return yaml.dump(make_plan(scale), Dumper=yaml.CSafeDumper, sort_keys=False).encode()
