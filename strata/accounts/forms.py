from __future__ import annotations

import zoneinfo

from django import forms

from strata.accounts.roles import ROLE_HELP, Role

TIMEZONES = sorted(zoneinfo.available_timezones())


class LoginForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="The brand or client this workspace plans for.")
    slug = forms.CharField(max_length=63, required=False, help_text="Used in addresses and the CLI; made from the name if empty.")
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES], initial="UTC")


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[(r.value, f"{r.label} — {ROLE_HELP[r]}") for r in Role], initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptForm(forms.Form):
    name = forms.CharField(max_length=200)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=10)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'plan sync in CI'.")
