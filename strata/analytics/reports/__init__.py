"""Monthly and six-month reports: plan beside actual, charts, and advice that becomes a plan change."""

import logging

# WeasyPrint (reports/pdf.py) logs each step of every layout at INFO, from its import on: noise
# on a command's standard error and in the server's log. Set here, before pdf.py imports it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
