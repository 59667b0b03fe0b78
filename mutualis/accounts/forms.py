from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from mutualis.accounts.models import Role
from mutualis.accounts.queries import email_problem, normalise_email, role_problem
from mutualis.territories.models import Member, PoolingBody


class RoleFieldsForm(forms.Form):
    """A role name and, for a référent, the commune; the rule lives in `role_problem`."""

    name = forms.ChoiceField(label=_("Rôle"), choices=Role.Name.choices)
    member = forms.ModelChoiceField(
        label=_("Commune (pour un·e référent·e)"),
        queryset=Member.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, pooling_body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pooling_body = pooling_body
        cast(
            "forms.ModelChoiceField[Any]", self.fields["member"]
        ).queryset = pooling_body.members.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "name" in data and "member" in data:
            problem = role_problem(self.pooling_body, data["name"], data["member"])
            if problem is not None:
                self.add_error("member", problem)
        return data


class GrantRoleForm(RoleFieldsForm):
    """Another role for an account the body already knows (new people are invited).

    A body administrator gets the same answer for an unknown username and for an account
    that exists elsewhere on the platform, so the form reveals nothing outside the body.
    """

    username = forms.CharField(label=_("Identifiant de l'utilisateur"), max_length=150)
    field_order = ["username", "name", "member"]

    def __init__(self, *args: Any, any_account: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.any_account = any_account

    def clean_username(self) -> object:
        accounts = get_user_model().objects.filter(
            username=self.cleaned_data["username"].strip(), is_active=True
        )
        if not self.any_account:
            accounts = accounts.filter(mutualis_roles__pooling_body=self.pooling_body)
        user = accounts.distinct().first()
        if user is None:
            raise forms.ValidationError(
                _(
                    "Aucun compte actif de la structure ne porte cet identifiant. "
                    "Pour ajouter une personne, invitez-la par courriel."
                )
            )
        return user


class RoleEditForm(RoleFieldsForm):
    pass


class InviteForm(RoleFieldsForm):
    email = forms.EmailField(label=_("Adresse électronique"), max_length=254)
    field_order = ["email", "name", "member"]

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        problem = email_problem(self.pooling_body, email)
        if problem is not None:
            raise forms.ValidationError(problem)
        return email
