"""Which requests are not a person following a link: crawlers, scripts, headless browsers, and
above all the link-preview fetchers every network sends as soon as a post is out (each Mastodon
instance that receives the post fetches its link once). They are counted apart, not dropped:
the redirect still answers them, so that previews show the page.

A list of user-agent words, as privacy-first web analytics keep one; a bot that claims to be a
browser is counted as a person, which no list can avoid."""

from __future__ import annotations

WORDS = (
    # generic
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrape",
    "fetch",
    "preview",
    "monitor",
    "headless",
    "phantomjs",
    "lighthouse",
    # scripts and libraries
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "httpx",
    "aiohttp",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "node-fetch",
    "axios",
    "http.rb",
    "ruby",
    "scrapy",
    "wrk",
    # link previews of the networks and messengers
    "facebookexternalhit",
    "facebookcatalog",
    "twitterbot",
    "slackbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "linkedinbot",
    "skypeuripreview",
    "embedly",
    "iframely",
    "cardyb",  # Bluesky's card fetcher
    "mastodon/",  # the instances' preview fetcher: "http.rb/… (Mastodon/4.3; +https://…)"
    "pleroma",
    "akkoma",
    "misskey",
    "gotosocial",
    "bluesky",
    "google-inspectiontool",
    "googleother",
    "applebot",
    "redditbot",
    # (not "pinterest", "duckduckgo" or "yandex": their apps' browsers say so too; their
    # crawlers say "bot")
    "vkshare",
    "baiduspider",
    "petalbot",
    "semrush",
    "ahrefs",
)


def is_bot(user_agent: str) -> bool:
    """A user agent of a program rather than a person's browser. No user agent at all is a
    program too: every browser sends one."""
    lowered = user_agent.lower()
    return not lowered.strip() or any(word in lowered for word in WORDS)  # faster than one regex of them all
