from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from mutualis.accounts.models import Role
from mutualis.territories.models import Member, PoolingBody


class GrantRoleForm(forms.Form):
    username = forms.CharField(label=_("Identifiant de l'utilisateur"), max_length=150)
    name = forms.ChoiceField(label=_("Rôle"), choices=Role.Name.choices)
    member = forms.ModelChoiceField(
        label=_("Commune (pour un·e référent·e)"),
        queryset=Member.objects.none(),
        required=False,
    )

    def __init__(self, *args: object, pooling_body: PoolingBody, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].queryset = pooling_body.members.order_by("name")  # type: ignore[attr-defined]

    def clean_username(self) -> object:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Aucun compte actif ne porte cet identifiant."))
        return user

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("name") == Role.Name.REFERENT and not data.get("member"):
            self.add_error("member", _("Un rôle de référent·e désigne une commune."))
        if data.get("name") != Role.Name.REFERENT and data.get("member"):
            self.add_error("member", _("Seul un rôle de référent·e désigne une commune."))
        return data
