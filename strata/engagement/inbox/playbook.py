"""The reply the response plan suggests: the matching rule's template, or the action's own
words, with {author}, {first_name}, {channel} and {support_email} filled in. The responder edits
it before sending; nothing is sent from here."""

from __future__ import annotations

import re

from strata.engagement.inbox.models import Conversation
from strata.strategy.plan.schema import PlanDocument

ACTION_WORDS = {
    "thank_and_ask": "Thank you, {first_name}! Who helped you, or what made it good? We would love to pass it on.",
    "take_offline": "We are sorry to hear that, {first_name}. Could you write to us at {support_email}? We will sort it out there.",
    "reply": "Hi {first_name}, ",
    "escalate": "Hi {first_name}, thank you for telling us. We have passed this on and will come back to you.",
}
# Without a support address, taking a conversation offline means the platform's direct messages.
OFFLINE_WITHOUT_EMAIL = "We are sorry to hear that, {first_name}. Could you send us a direct message? We will sort it out there."
VARIABLE = re.compile(r"\{(author|first_name|channel|support_email)\}")


def suggestion(plan: PlanDocument, conversation: Conversation) -> str:
    rule = next((r for r in plan.response_plan if r.id == conversation.rule_id), None)
    template = rule.template if rule and rule.template else ACTION_WORDS.get(conversation.action, "")
    if not (rule and rule.template) and conversation.action == "take_offline" and not plan.support.email:
        template = OFFLINE_WITHOUT_EMAIL
    return fill(template, plan, conversation)


def fill(template: str, plan: PlanDocument, conversation: Conversation) -> str:
    # Only these four names are replaced: str.format would let a template reach into objects
    # ("{author.__class__}"), and a brace the writer meant stays as written.
    handle = conversation.author_handle
    name = conversation.author_name.strip()
    values = {
        "author": f"@{handle}" if handle and not handle.startswith("@") else handle,
        "first_name": name.split()[0] if name else handle.split("@")[0].split(".")[0] or "there",
        "channel": conversation.channel_id,
        "support_email": plan.support.email or "our support address",
    }
    return VARIABLE.sub(lambda m: values[m.group(1)], template)
