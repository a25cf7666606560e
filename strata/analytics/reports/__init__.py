"""Monthly and six-month reports: plan beside actual, charts, and advice that becomes a plan change."""
