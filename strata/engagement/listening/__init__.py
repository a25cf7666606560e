"""Listening: which of the plan's queries a text matches. The language itself (parsing,
normalisation, tokens) is strata.strategy.plan.query; this package only matches."""
