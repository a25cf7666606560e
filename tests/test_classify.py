"""The classifiers: the `strata classify` contract, obvious cases each model must get right,
and hostile input that must never crash them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from strata.engagement.classify import INTENTS, SENTIMENTS, inbox_model, listening_model

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database

MODELS = {"inbox": inbox_model, "listening": listening_model}


def run(path: Path, *args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    call_command("classify", "--input", str(path), *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def assert_labels(answer: dict[str, object]) -> None:
    assert list(answer) == ["sentiment", "intents", "scores"]
    assert answer["sentiment"] in SENTIMENTS
    assert isinstance(answer["intents"], list)
    assert set(answer["intents"]) <= set(INTENTS)
    scores = answer["scores"]
    assert isinstance(scores, dict)
    assert set(scores) == set(SENTIMENTS) | set(INTENTS)
    assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_it_answers_every_line_in_order_with_errors_on_their_own_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "@acme my parcel is two weeks late and nobody answers. Useless."}),
        "this is not json",
        json.dumps({"id": 7}),
        json.dumps({"text": "Thank you @acme, the new app is brilliant!"}),
        json.dumps(["text"]),
        json.dumps({"text": 42}),
        "",
        json.dumps({"text": "@northrail which platform does the 9:15 to York leave from?"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    answers = run(path)
    assert len(answers) == len(lines)
    assert [("error" in a) for a in answers] == [False, True, True, False, True, True, True, False]
    for a in answers:
        if "error" not in a:
            assert_labels(a)
    assert answers[0]["sentiment"] == "negative"
    assert answers[3]["sentiment"] == "positive"
    assert "question" in answers[7]["intents"]  # type: ignore[operator]


def test_fast_uses_the_listening_model(tmp_path: Path) -> None:
    texts = ["worst airline ever, lost my bag again", "loving the new update, great work", "what time do you close?"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    fast = run(path, "--fast")
    assert fast == [label.as_json() for label in listening_model.classify(texts)]
    assert run(path) == [label.as_json() for label in inbox_model.classify(texts)]


def test_the_command_reads_standard_input_and_survives_invalid_utf8() -> None:
    stdin = b'{"text": "I love this phone"}\n\xff\xfe not utf-8\n{"text": "bad \\ud800 surrogate"}\n'
    result = subprocess.run(
        [sys.executable, "-m", "strata.cli", "classify", "--fast"],
        input=stdin,
        capture_output=True,
        env={**os.environ},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(answers) == 3
    assert "error" not in answers[0]
    assert "error" in answers[1]
    assert_labels(answers[2])


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot read"):
        call_command("classify", "--input", str(tmp_path / "nope.jsonl"), stdout=io.StringIO())


# Written for these tests, not taken from the training data.
OBVIOUS = [
    ("@northrail third cancelled train this week and still no refund. Absolutely disgraceful service", "negative", "complaint"),
    ("Huge thanks to the team at @brightbank, sorted my card in five minutes. Brilliant service!", "positive", "praise"),
    ("Check out my channel!! Subscribe for daily videos and free gift cards, link in bio", None, "spam"),
    ("How do I change the delivery address on my order?", None, "question"),
]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("text", "sentiment", "intent"), OBVIOUS)
def test_each_model_gets_the_obvious_cases_right(name: str, text: str, sentiment: str | None, intent: str) -> None:
    [labels] = MODELS[name].classify([text])
    assert intent in labels.intents, labels
    if sentiment:
        assert labels.sentiment == sentiment, labels


HOSTILE = [
    "",
    " \n\t ",
    "x" * 1_000_000,
    "great " * 200_000,
    "lone \ud800 surrogate \udfff here",
    "\x00\x01\x07\x1b[31mred\x1b[0m\x7f\u202eevil\u200b",
    "🔥" * 5000,
    "@" * 1000 + "#" * 1000,
    "http://" + "a" * 10_000,
]


@pytest.mark.parametrize("name", MODELS)
def test_hostile_input_never_crashes(name: str) -> None:
    answers = MODELS[name].classify(HOSTILE)
    assert len(answers) == len(HOSTILE)
    for labels in answers:
        assert_labels(labels.as_json())


@pytest.mark.parametrize("name", MODELS)
def test_an_empty_batch_gives_no_labels(name: str) -> None:
    assert MODELS[name].classify([]) == []


@pytest.mark.parametrize("name", MODELS)
def test_it_answers_the_same_from_several_threads(name: str) -> None:
    texts = [f"order {i} arrived broken, I want a refund" if i % 2 else f"love it, {i} stars" for i in range(40)]
    expected = MODELS[name].classify(texts)
    results: list[object] = []

    def work() -> None:
        results.append(MODELS[name].classify(texts))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_a_batch_gives_the_same_labels_as_one_text_at_a_time() -> None:
    texts = ["short", "a much longer message about a delayed refund that never arrived " * 3, "ok?"]
    together = inbox_model.classify(texts)
    alone = [inbox_model.classify([t])[0] for t in texts]
    assert [t.sentiment for t in together] == [a.sentiment for a in alone]
    assert [t.intents for t in together] == [a.intents for a in alone]


def test_the_inbox_intents_come_from_the_heads_over_the_pooled_embedding_and_ngrams() -> None:
    """``inbox.json`` names the intent heads; they are the linear model training/heads.py fits
    (pooled embedding · W + n-gram scores + bias + a share of the encoder's intent logits)."""
    import numpy as np

    from strata.engagement.classify.features import linear_scores
    from strata.engagement.classify.models import MODELS, InboxModel, ListeningModel

    for path in MODELS.iterdir():
        assert path.stat().st_size < 30 * 1024 * 1024, path
    texts = ["@acme where is my refund?? still waiting after 3 weeks", "subscribe to my channel for free giftcards", "ok"]
    with_heads, plain = InboxModel(), InboxModel(heads=False)
    spec = with_heads.meta["intent_heads"]
    _, blended, pooled = plain.outputs(texts)
    base = blended - plain.blend * ListeningModel().logits(texts)[:, len(SENTIMENTS) :]
    assert pooled is not None
    assert pooled.shape == (3, 384)
    with np.load(MODELS / spec["file"]) as stored:
        ngrams = linear_scores(texts, stored["ngrams"], np.zeros(len(INTENTS), dtype=np.float32))
        expected = pooled @ stored["pooled"] + ngrams + stored["bias"] + np.asarray(spec["previous_weight"]) * base
    _, intents = with_heads.logits(texts)
    np.testing.assert_allclose(intents, expected, rtol=1e-4, atol=1e-4)
