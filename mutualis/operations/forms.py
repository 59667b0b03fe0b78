"""Forms of the pilotage; each works without JavaScript and names its field in errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mutualis.operations.analysis import Frequency
from mutualis.operations.models import ChargeLine, LegalForm, Offer, SharedService
from mutualis.territories.models import Member, PoolingBody

DATE_WIDGET = {"type": "date"}
FREQUENCIES = [(f.value, f.value.capitalize()) for f in Frequency]


class ServiceForm(forms.ModelForm[SharedService]):
    class Meta:
        model = SharedService
        fields = [
            "name",
            "domain",
            "legal_form",
            "billing_mode",
            "key",
            "offer",
            "unit_label",
            "frequency",
            "regularisation_clause",
            "regularisation_reference",
            "imputation",
        ]

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["domain"]).queryset = body.domains.all()
        cast("forms.ModelChoiceField[Any]", self.fields["offer"]).queryset = body.offers.all()
        cast(forms.ChoiceField, self.fields["legal_form"]).choices = LegalForm.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("billing_mode")
        if mode == SharedService.BillingMode.KEY and not data.get("key"):
            self.add_error("key", _("Choisissez la clé de répartition."))
        if mode == SharedService.BillingMode.TARIFF and not data.get("offer"):
            self.add_error("offer", _("Choisissez l'offre du catalogue."))
        return data


class ParticipationForm(forms.Form):
    member: forms.ModelChoiceField[Member] = forms.ModelChoiceField(
        label=_("Membre"), queryset=None
    )
    start_on = forms.DateField(label=_("Date d'entrée"), widget=forms.DateInput(attrs=DATE_WIDGET))
    end_on = forms.DateField(
        label=_("Date de sortie"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET)
    )

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["member"]).queryset = body.members.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end_on") and data.get("start_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("La date de sortie précède la date d'entrée."))
        return data


class ChargeForm(forms.ModelForm[ChargeLine]):
    class Meta:
        model = ChargeLine
        fields = ["source", "category", "label", "amount", "eligible", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        if data.get("source") == ChargeLine.Source.ACCOUNTS and amount is not None and amount < 0:
            self.add_error(
                "amount", _("Une charge du compte administratif ne peut pas être négative.")
            )
        return data


class ForecastForm(forms.Form):
    member: forms.ModelChoiceField[Member] = forms.ModelChoiceField(
        label=_("Membre"), queryset=None
    )
    units = forms.DecimalField(
        label=_("Unités prévisionnelles"), min_value=Decimal(0), max_digits=14, decimal_places=3
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["member"]).queryset = members


class OwnUseForm(forms.Form):
    own_use_units = forms.DecimalField(
        label=_("Usage propre de la structure (unités prévisionnelles)"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=3,
    )


class NotifyForm(forms.Form):
    notified_on = forms.DateField(
        label=_("Date de notification"), widget=forms.DateInput(attrs=DATE_WIDGET)
    )


class UnitsUploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier d'unités (Excel .xlsx ou CSV)"))


class GenerateForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Périodicité"), choices=FREQUENCIES)
    index = forms.IntegerField(
        label=_("Période (1 = premier trimestre, mois…)"), min_value=1, max_value=12
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "frequency" in data and "index" in data:
            periods = Frequency(data["frequency"]).periods
            if data["index"] > periods:
                self.add_error(
                    "index", _("Cette périodicité ne compte que %(n)s période(s).") % {"n": periods}
                )
        return data


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la rectification"), max_length=300)

    def __init__(self, *args: Any, lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            if line.rate == 0:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = forms.DecimalField(
                label=_("%(label)s — quantité corrigée (%(unit)s)")
                % {"label": line.label, "unit": line.unit_label},
                initial=line.quantity,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=3,
            )
            self.line_fields.append((line.pk, name))

    def corrected(self) -> dict[int, Decimal]:
        return {pk: self.cleaned_data[name] for pk, name in self.line_fields}


class SubscriptionForm(forms.Form):
    offer: forms.ModelChoiceField[Offer] = forms.ModelChoiceField(label=_("Offre"), queryset=None)
    member: forms.ModelChoiceField[Member] = forms.ModelChoiceField(
        label=_("Membre"), queryset=None
    )
    start_on = forms.DateField(label=_("Début"), widget=forms.DateInput(attrs=DATE_WIDGET))
    end_on = forms.DateField(
        label=_("Fin"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET)
    )
    users = forms.IntegerField(label=_("Utilisateurs ou licences"), min_value=0, initial=0)

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["offer"]).queryset = body.offers.all()
        cast("forms.ModelChoiceField[Any]", self.fields["member"]).queryset = body.members.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end_on") and data.get("start_on") and data["end_on"] < data["start_on"]:
            self.add_error("end_on", _("L'abonnement se termine avant de commencer."))
        return data


class SimulatorForm(forms.Form):
    offer: forms.ModelChoiceField[Offer] = forms.ModelChoiceField(
        label=_("Offre"), queryset=None, to_field_name="code"
    )
    population = forms.IntegerField(label=_("Population (habitants)"), min_value=0, initial=1000)
    users = forms.IntegerField(
        label=_("Utilisateurs ou licences"), min_value=0, initial=0, required=False
    )

    def __init__(self, *args: Any, offers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["offer"]).queryset = offers
