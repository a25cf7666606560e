"""The plan's own checks, one module per part of the plan. Importing registers them."""

from strata.strategy.review.checks import audiences, channels, content, governance, listening, objectives, response

__all__ = ["audiences", "channels", "content", "governance", "listening", "objectives", "response"]
