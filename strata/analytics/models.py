"""The analytics app's models live beside the code that uses them; Django finds them here."""

from strata.analytics.imports.models import *  # noqa: F403 - each lists its models in __all__
from strata.analytics.links.models import *  # noqa: F403
from strata.analytics.metrics.models import *  # noqa: F403
from strata.analytics.reports.models import *  # noqa: F403
