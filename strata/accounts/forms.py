from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from strata.accounts.roles import ROLE_HELP, Role

TIMEZONES = sorted(zoneinfo.available_timezones())


class Renderer(DjangoTemplates):
    """Fields as every form of Strata shows them: the help inside the label, the message in
    .field-error right below the field, tied to it by aria-describedby (Django adds that, and
    aria-invalid, to the widget)."""

    field_template_name = "accounts/_field.html"


class Problems:
    """The form's errors for the summary at its top (accounts/_form_errors.html): those of the
    whole form first, then each field's, linked to the field."""

    def problems(self) -> list[dict[str, str]]:
        assert isinstance(self, forms.BaseForm)
        found = [{"text": str(e), "target": ""} for e in self.non_field_errors()]
        for field in self:
            found += [{"text": f"{field.label}: {e}", "target": field.id_for_label} for e in field.errors]
        return found


class Form(Problems, forms.Form):
    default_renderer = Renderer()


class LoginForm(Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class QuickSelect(forms.Select):
    """A select of many plain options (the 600 time zones) written out directly: Django renders
    each option through a template, which took most of the home page's time (bench/pages.py)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = set(self.format_value(value))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>', ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices)
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class WorkspaceForm(Form):
    name = forms.CharField(max_length=200, help_text="The brand or client this workspace plans for.")
    slug = forms.CharField(max_length=63, required=False, help_text="Used in addresses and the CLI; made from the name if empty.")
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES], initial="UTC", widget=QuickSelect)


class InviteForm(Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=[(r.value, f"{r.label} — {ROLE_HELP[r]}") for r in Role], initial=Role.EDITOR)


class RoleForm(Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptForm(Form):
    name = forms.CharField(max_length=200)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), min_length=10)


class TokenForm(Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'plan sync in CI'.")


class PasswordResetForm(Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
        help_text="The address you sign in with. A link to choose a new password is sent there.",
    )


class NewPasswordForm(Problems, SetPasswordForm):  # type: ignore[type-arg]
    """Django's: the password validators, and the two entries must match."""

    default_renderer = Renderer()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django's help is an HTML list of every validator; one plain sentence reads better.
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password1"].widget.attrs["autofocus"] = True
