"""Everything heard is labelled by the model its reader needs: the inbox model for the brand's
conversations, the listening model for what listening hears on streams; a person's correction
is never overwritten."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement import actions, labels
from strata.engagement.classify import inbox_model, listening_model
from strata.engagement.models import HeardItem, Source

COMPLAINT = "@acme my order arrived broken and nobody answers my emails, this is terrible"


def item(workspace: Workspace, n: int, source: Source | None, text: str = COMPLAINT) -> HeardItem:
    return HeardItem.objects.create(
        workspace=workspace,
        source=source,
        platform="bluesky",
        remote_id=f"at://x/{n}",
        kind="reply" if source else "post",
        author_id="did:plc:x",
        author_handle="x.test",
        text=text,
        created_at=now() - dt.timedelta(minutes=n),
    )


def test_conversations_get_the_inbox_model_and_streams_the_listening_model(acme: Workspace) -> None:
    notifications = Source.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky")
    replied = item(acme, 1, notifications)
    streamed = item(acme, 2, None, text="a spring ride to work along the lake, what a view")
    assert labels.label_unlabelled() == 2
    replied.refresh_from_db()
    streamed.refresh_from_db()
    [inbox] = inbox_model.classify([replied.text])
    [fast] = listening_model.classify([streamed.text])
    assert (replied.sentiment, replied.intents) == (inbox.sentiment, list(inbox.intents))
    assert (streamed.sentiment, streamed.intents) == (fast.sentiment, list(fast.intents))
    assert replied.sentiment == "negative"
    assert "complaint" in replied.intents
    assert replied.shown_intents_key.startswith(",")


def test_a_correction_survives_the_next_sweep(acme: Workspace) -> None:
    replied = item(acme, 1, Source.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky"))
    labels.label_unlabelled()
    replied.refresh_from_db()
    actions.correct_labels(item=replied, actor=None, sentiment="positive", intents=["praise"])
    assert labels.label_unlabelled() == 0
    replied.refresh_from_db()
    assert (replied.shown_sentiment, replied.shown_intents) == ("positive", ["praise"])
    assert replied.sentiment == "negative"  # the model's label stays beside the correction


def test_corrections_are_written_out_for_training_again(acme: Workspace) -> None:
    import csv
    import io

    from django.core.management import call_command

    replied = item(acme, 1, Source.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky"))
    item(acme, 2, None, text="never corrected")
    actions.correct_labels(item=replied, actor=None, sentiment="negative", intents=["complaint", "question"])
    out = io.StringIO()
    call_command("classify", "--corrections", "--workspace", "acme", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {(r["text"], r["label"]) for r in rows} == {
        (COMPLAINT, "negative"),
        (COMPLAINT, "complaint"),
        (COMPLAINT, "question"),
        (COMPLAINT, "not_praise"),
        (COMPLAINT, "not_purchase_intent"),
        (COMPLAINT, "not_spam"),
    }
