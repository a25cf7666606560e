"""What Strata cannot see for itself, imported: web-analytics exports and support inquiry counts."""
