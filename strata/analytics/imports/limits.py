"""How much an import may hold. A year of daily rows per source and campaign is a few
megabytes; these bounds are far above that and far below what would strain a worker."""

from __future__ import annotations

MAX_BYTES = 20 * 1024 * 1024  # the file as uploaded (a zip, or a CSV)
MAX_UNZIPPED = 50 * 1024 * 1024  # one CSV read out of a zip: a zip bomb stops here
MAX_MEMBERS = 100  # files in a zip; Plausible's export holds about a dozen
MAX_COUNT = 1_000_000_000  # one cell's visits, conversions or inquiries
MAX_STORED = 2_147_483_647  # a day's sum, as the database's integer column holds it
MAX_SECONDS_PER_VISIT = 24 * 3600  # an average visit longer than a day is a wrong column
MAX_LABEL = 100  # utm_source and utm_campaign, as stored
MAX_CHANNEL = 50  # a support channel, as stored
MAX_API_ITEMS = 10_000  # support counts in one API request: 27 years of days
EARLIEST_YEAR = 2000  # a day before this is a wrong column or a typo, not web traffic


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"
