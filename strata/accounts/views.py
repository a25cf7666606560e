"""Sign-in and password reset, workspaces, members, invitations and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from strata.accounts import actions, throttle
from strata.accounts.clientaddr import client_address
from strata.accounts.forms import (
    AcceptForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetForm,
    RoleForm,
    TokenForm,
    WorkspaceForm,
)
from strata.accounts.models import ApiToken, Invitation, Membership, User
from strata.accounts.roles import ROLE_HELP, Role
from strata.accounts.scoping import workspace_access


def _next_or_home(request: HttpRequest) -> str:
    """Where to go after signing in: `next` when it is a path on this site, else the start page."""
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:  # signed in already: nothing to do here
        return redirect(_next_or_home(request))
    form = LoginForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        client = client_address(request)
        wait = throttle.begin(email, client)
        if wait is not None:
            form.add_error(None, wait.message)
            status, retry_after = 429, wait.seconds
        else:
            user = authenticate(request, username=email.lower(), password=password)
            if user is None:
                throttle.record_failure(email, client)
                form.add_error(None, "That e-mail address and password do not match.")
                status = 400
            else:
                throttle.record_success(email, client)
                login(request, user)
                return redirect(_next_or_home(request))
    elif request.method == "POST":
        status = 400
    response = render(request, "accounts/login.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = actions.create_workspace(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                timezone_name=form.cleaned_data["timezone"],
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request, f"Workspace {workspace.name} created at /w/{workspace.slug}/. Start with the governance and the goals."
            )
            return redirect("plan-overview", slug=workspace.slug)
    memberships = Membership.objects.filter(user=request.user).select_related("workspace").order_by("workspace__name")  # type: ignore[misc]
    status = 400 if form.errors else 200
    invitations = Invitation.pending().filter(email=request.user.email.lower()).order_by("-created_at")  # type: ignore[union-attr]
    context = {"form": form, "memberships": memberships, "invitations": invitations}
    return render(request, "accounts/home.html", context, status=status)


@login_required
def switch_workspace(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("slug", "")
    workspace_access(request.user, slug)  # type: ignore[arg-type]
    return redirect("plan-overview", slug=slug)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request.user, slug, "members.view")  # type: ignore[arg-type]
    form = InviteForm()
    status = 200
    already: Invitation | None = None
    if request.method == "POST":
        access.require("members.manage")
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = actions.invite_member(access=access, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
            except actions.AlreadyInvited as exc:  # beside the field, with a button to resend that one
                form.add_error(exc.field, exc.message)
                already = exc.invitation
            except actions.ActionError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}. They join when they accept it.")
                return redirect("members", slug=slug)
        status = 400
    # Who was invited is for those who invite: the others see the members only.
    invitations = Invitation.objects.none()
    if access.may("members.manage"):
        invitations = (
            Invitation.objects.filter(workspace=access.workspace, accepted_at=None).select_related("invited_by").order_by("-created_at")
        )
    context = {
        "access": access,
        "members": access.workspace.memberships.select_related("user").order_by("user__email"),
        "invitations": invitations,
        "already": already,
        "form": form,
        "roles": [(r, ROLE_HELP[r]) for r in Role],
        "role_choices": Role.choices,
    }
    return render(request, "accounts/members.html", context, status=status)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.ActionError("choose a role")
        if request.POST.get("remove"):
            actions.remove_member(access=access, membership_id=membership_id)
            messages.success(request, "Member removed.")
        else:
            actions.change_role(access=access, membership_id=membership_id, role=form.cleaned_data["role"])
            messages.success(request, "Role changed.")
    except actions.ActionError as exc:
        messages.error(request, exc.message)
    return redirect("members", slug=slug)


@login_required
@require_POST
def resend_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    try:
        invitation = actions.resend_invitation(access=access, invitation_id=invitation_id)
    except actions.ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation sent to {invitation.email} again, with a new link; the earlier link no longer works.")
    return redirect("members", slug=slug)


@login_required
@require_POST
def cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    try:
        invitation = actions.cancel_invitation(access=access, invitation_id=invitation_id)
    except actions.ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation of {invitation.email} cancelled; its link no longer works.")
    return redirect("members", slug=slug)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. It is for the address it was sent to: signed in as
    that address, one click joins; signed out, the person signs in or makes an account for it;
    signed in as anyone else, they are told to sign out first."""
    invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=404)
    user: User | None = request.user if request.user.is_authenticated else None
    context: dict[str, object] = {"invitation": invitation, "here": request.path}
    if user is not None:
        context["wrong_account"] = actions.wrong_account(invitation, user)
        if context["wrong_account"]:
            return render(request, "accounts/invitation.html", context, status=403 if request.method == "POST" else 200)
    elif User.objects.filter(email=invitation.email).exists():
        # Only the holder of the link, sent to that inbox, learns that the address has an account.
        context["sign_in_first"] = True
        return render(request, "accounts/invitation.html", context)
    form = AcceptForm(request.POST or None) if user is None else None
    context["form"] = form
    if request.method == "POST":
        try:
            membership = _sign_up(request, form, token) if form is not None else actions.accept_invitation(token=token, user=user)
        except actions.ActionError as exc:
            if form is not None and not form.errors:
                form.add_error(None, exc.message)
            elif form is None:
                messages.error(request, exc.message)
        else:
            messages.success(request, f"Welcome to {membership.workspace.name}.")
            return redirect("plan-overview", slug=membership.workspace.slug)
    return render(request, "accounts/invitation.html", context, status=400 if form is not None and form.errors else 200)


def _sign_up(request: HttpRequest, form: AcceptForm, token: str) -> Membership:
    if not form.is_valid():
        raise actions.ActionError("fill in your name and a password")
    try:
        password_validation.validate_password(form.cleaned_data["password"])
    except ValidationError as exc:
        form.add_error("password", exc)
        raise actions.ActionError("choose a stronger password") from None
    membership = actions.accept_invitation(token=token, user=None, name=form.cleaned_data["name"], password=form.cleaned_data["password"])
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return membership


@login_required
@require_POST
def answer_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Accept or decline, from the start page, an invitation to one's own address."""
    accept = request.POST.get("answer") == "accept"
    try:
        membership = actions.answer_invitation(user=request.user, invitation_id=invitation_id, accept=accept)  # type: ignore[arg-type]
    except actions.ActionError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    if membership is None:
        messages.success(request, "Invitation declined.")
        return redirect("home")
    messages.success(request, f"Welcome to {membership.workspace.name}.")
    return redirect("plan-overview", slug=membership.workspace.slug)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = actions.issue_api_token(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")  # type: ignore[misc]
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "secret": secret}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET asks for confirmation (a page, so that it works without JavaScript); POST revokes."""
    if request.method == "GET":
        token = ApiToken.objects.filter(pk=token_id, user=request.user).first()  # type: ignore[misc]
        if token is None:
            raise Http404("no such token")
        return render(request, "accounts/token_revoke.html", {"token": token})
    try:
        actions.revoke_api_token(user=request.user, token_id=token_id)  # type: ignore[arg-type]
        messages.success(request, "Token revoked. Anything that used it can no longer reach the API.")
    except actions.ActionError as exc:
        messages.error(request, exc.message)
    return redirect("api-tokens")


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a link to choose a new password. The answer is the same whether or not the
    address has an account; requests are throttled like sign-ins (throttle.reset_wait)."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = throttle.reset_wait(email, client_address(request))
        if wait is not None:
            form.add_error(None, wait.message)
            response = render(request, "accounts/password_reset.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait.seconds)
            return response
        actions.request_password_reset(email=email)
        return render(request, "accounts/password_reset.html", {"sent_to": email})
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the e-mail: choose the new password, then continue signed in."""
    user = actions.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/password_reset_confirm.html", {"invalid": True}, status=404)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.reset_password(uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"])
        except actions.ActionError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your new password is set, and you are signed in.")
            return redirect("home")
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200)
