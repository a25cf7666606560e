"""What the demo's past posts say (demo_posts.py): Acme's commuter routes, repair tips and offers,
short for Bluesky and a little longer for Mastodon, each with the page it links to."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    title: str
    short: str  # Bluesky: under 300 characters
    long: str  # Mastodon: room for the why
    link: str = ""

    def for_platform(self, platform: str) -> str:
        return self.long if platform == "mastodon" else self.short

    def without_link(self) -> Text:
        return dataclasses.replace(self, link="")


def _route(name: str, km: int, start: str, end: str, why: str, slug: str) -> Text:
    return Text(
        title=f"Route of the week: {name}",
        short=f"Route of the week: {name}, {km} km from {start} to {end}. {why} #BikeToWork",
        long=f"This week's commuter route: {name}, {km} km from {start} to {end}. {why} Map and elevation profile on our site.",
        link=f"https://acme.example/routes/{slug}",
    )


def _repair(title: str, tip: str, slug: str) -> Text:
    return Text(
        title=title,
        short=f"{tip} Questions welcome here.",
        long=f"Two-minute repair: {tip} Our repair library has the step-by-step version with photos.",
        link=f"https://acme.example/repair/{slug}",
    )


def _offer(title: str, offer: str, slug: str) -> Text:
    return Text(title=title, short=offer, long=offer, link=f"https://shop.acme.example/{slug}")


ROUTES = [
    _route("the Landwehr canal path", 9, "Kreuzberg", "Charlottenburg", "Flat, car-free and two good coffee stops.", "landwehr-canal"),
    _route("the Mauerweg north", 12, "Mitte", "Pankow", "Quiet, green, and history on every kilometre.", "mauerweg-north"),
    _route("Tempelhofer Feld crossing", 5, "Neukölln", "Tempelhof", "The widest bike lane in Berlin.", "tempelhofer-feld"),
    _route("the Spree path", 8, "Friedrichshain", "Treptow", "Along the water all the way, no traffic lights.", "spree-path"),
    _route("the Gleisdreieck link", 4, "Schöneberg", "Potsdamer Platz", "Through the park instead of the traffic.", "gleisdreieck"),
    _route("the Canal Saint-Martin", 6, "République", "La Villette", "Locks, plane trees and a dedicated lane.", "canal-saint-martin"),
    _route("the Coulée verte", 5, "Bastille", "Bois de Vincennes", "An old railway, now a green corridor.", "coulee-verte"),
    _route("the Berges de Seine", 7, "Pont de l'Alma", "Bercy", "Right on the river, closed to cars.", "berges-de-seine"),
    _route("Rue de Rivoli", 4, "Concorde", "Bastille", "Two-way, protected and busy with bikes at 8 am.", "rue-de-rivoli"),
    _route("the Havel path", 14, "Spandau", "Wannsee", "The long way in, through the forest.", "havel-path"),
]  # fmt: skip

REPAIRS = [
    _repair("Quiet chain", "Squeaky chain? Wipe it, one drop of oil per link, then wipe again.", "quiet-chain"),
    _repair("Tyre pressure", "Check your tyre pressure every two weeks: the number on the sidewall is the range, aim for the middle.", "tyre-pressure"),
    _repair("Brake pads", "Brake pads worn down to the grooves? Time for new ones; it takes ten minutes and one Allen key.", "brake-pads"),
    _repair("Puncture in two minutes", "A flat on the way to work: tyre levers, spare tube, pump. Find the thorn before you fit the new tube.", "puncture"),
    _repair("Gear cable stretch", "Gears skipping after a few months? New cables stretch: half a turn on the barrel adjuster usually fixes it.", "gear-cable"),
    _repair("Lights check", "Dark mornings again: check that your lights are charged and aimed low enough not to dazzle.", "lights"),
    _repair("Winter salt", "Salt on the roads eats chains: rinse with warm water after a salty ride, dry, then oil.", "winter-salt"),
    _repair("Saddle height", "Knee pain on the commute? At the bottom of the stroke your leg should be almost straight.", "saddle-height"),
]  # fmt: skip

PROMOTIONAL = [
    _offer("Commuter 3 is here", "The new Commuter 3: belt drive, hub gears and lights built in. Test rides in every Acme shop.", "commuter-3"),
    _offer("Service week", "Service week: 15 % off a full service in every Acme shop until Sunday.", "service-week"),
    _offer("Cargo C2", "Meet the Cargo C2: two children or a week's shopping, and it still fits through a door.", "cargo-c2"),
    _offer("Rain bundle", "Rain jacket, overtrousers and mudguards together for 20 % less this month.", "rain-bundle"),
    _offer("E-Commuter preorders", "Preorders for the E-Commuter are open: 70 km of range and delivery before spring.", "e-commuter"),
    _offer("Lock deal", "Any D-lock half price with a new bike this week.", "lock-deal"),
]  # fmt: skip
