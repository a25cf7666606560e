"""Ambassadors: people who engage with the brand positively and often, found in what was heard,
scored (scoring.py), kept as candidates until a person confirms or dismisses them, and followed
over time once confirmed (are they still sharing?).

tally.py counts in SQL; scoring.py turns the counts into a score; refresh.py stores both;
reach.py asks the Bluesky AppView for follower counts; actions.py writes what people decide."""
