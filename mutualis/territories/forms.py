from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutualis.territories.models import Domain, Member, MemberAttribute, Membership, PoolingBody


class EpciForm(forms.Form):
    siren = forms.RegexField(
        label=_("SIREN de l'EPCI"),
        regex=r"^\s*\d{9}\s*$",
        error_messages={"invalid": _("Le SIREN doit comporter 9 chiffres.")},
        help_text=_("Par exemple 200039063 pour la CC Forêts, Seine et Suzon."),
    )


class MemberForm(forms.ModelForm[Member]):
    class Meta:
        model = Member
        fields = ["population_dgf", "latitude", "longitude"]


class MemberAdminForm(forms.ModelForm[Member]):
    class Meta:
        model = Member
        fields = [
            "name",
            "population_municipale",
            "population_totale",
            "population_dgf",
            "population_year",
            "latitude",
            "longitude",
            "outside_epci",
        ]


class AttributeForm(forms.ModelForm[MemberAttribute]):
    class Meta:
        model = MemberAttribute
        fields = ["key", "label", "value", "unit", "year", "source"]
        help_texts = {"key": _("Identifiant court, par exemple potentiel_financier.")}


class MembershipForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["joined_on", "left_on", "note"]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        joined, left = data.get("joined_on"), data.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("La date de retrait précède la date d'adhésion."))
        return data


class DomainForm(forms.ModelForm[Domain]):
    class Meta:
        model = Domain
        fields = ["code", "name", "family", "description", "position", "is_active"]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        taken = Domain.objects.filter(pooling_body=self.instance.pooling_body, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ce code de domaine est déjà utilisé."))
        return code


class PoolingBodySettingsForm(forms.ModelForm[PoolingBody]):
    class Meta:
        model = PoolingBody
        fields = ["communes_transparency"]
