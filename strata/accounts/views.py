"""Sign-in, workspaces, members, invitations and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strata.accounts import actions, throttle
from strata.accounts.forms import AcceptForm, InviteForm, LoginForm, RoleForm, TokenForm, WorkspaceForm
from strata.accounts.models import ApiToken, Invitation, Membership, User
from strata.accounts.roles import ROLE_HELP, Role
from strata.accounts.scoping import workspace_access


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        if throttle.is_locked(email, _client(request)):
            form.add_error(None, "Too many failed sign-ins. Wait a few minutes and try again.")
            status = 429
        else:
            user = authenticate(request, username=email.lower(), password=password)
            if user is None:
                throttle.record_failure(email, _client(request))
                form.add_error(None, "That e-mail address and password do not match.")
                status = 400
            else:
                throttle.clear(email, _client(request))
                login(request, user)
                target = request.GET.get("next", "")
                return redirect(target if target.startswith("/") and not target.startswith("//") else "home")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form}, status=status)


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
            messages.success(request, f"Workspace {workspace.name} created. Start with the governance and the goals.")
            return redirect("plan-overview", slug=workspace.slug)
    memberships = Membership.objects.filter(user=request.user).select_related("workspace").order_by("workspace__name")  # type: ignore[misc]
    status = 400 if form.errors else 200
    return render(request, "accounts/home.html", {"form": form, "memberships": memberships}, status=status)


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
    if request.method == "POST":
        access.require("members.manage")
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                result = actions.invite_member(access=access, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
            except actions.ActionError as exc:
                form.add_error(exc.field, exc.message)
            else:
                if isinstance(result, Membership):
                    messages.success(request, f"{result.user.email} joined as {result.role}.")
                else:
                    messages.success(request, f"Invitation e-mailed to {result.email}.")
                return redirect("members", slug=slug)
        status = 400
    context = {
        "access": access,
        "members": access.workspace.memberships.select_related("user").order_by("user__email"),
        "invitations": Invitation.objects.filter(workspace=access.workspace, accepted_at=None).order_by("-created_at"),
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


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=404)
    user: User | None = request.user if request.user.is_authenticated else None
    form = AcceptForm(request.POST or None) if user is None else None
    if request.method == "POST":
        try:
            if form is not None:
                if not form.is_valid():
                    raise actions.ActionError("fill in your name and a password")
                try:
                    password_validation.validate_password(form.cleaned_data["password"])
                except ValidationError as exc:
                    form.add_error("password", exc)
                    raise actions.ActionError("choose a stronger password") from None
                membership = actions.accept_invitation(
                    token=token, user=None, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = actions.accept_invitation(token=token, user=user)
        except actions.ActionError as exc:
            if form is not None and not form.errors:
                form.add_error(None, exc.message)
            elif form is None:
                messages.error(request, exc.message)
        else:
            messages.success(request, f"Welcome to {membership.workspace.name}.")
            return redirect("plan-overview", slug=membership.workspace.slug)
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


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
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        actions.revoke_api_token(user=request.user, token_id=token_id)  # type: ignore[arg-type]
        messages.success(request, "Token revoked.")
    except actions.ActionError as exc:
        messages.error(request, exc.message)
    return redirect("api-tokens")
