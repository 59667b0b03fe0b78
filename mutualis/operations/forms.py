"""Forms of the pilotage; each works without JavaScript and names its field in errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from mutualis.operations import analysis
from mutualis.operations.analysis import Frequency
from mutualis.operations.models import (
    AcBase,
    ChargeLine,
    LegalForm,
    Offer,
    SharedService,
    TariffBand,
)
from mutualis.operations.queries import first_signature
from mutualis.territories.models import Member, PoolingBody

DATE_WIDGET = {"type": "date"}
AC_LIMIT = Decimal("999999999.99")
FREQUENCIES = [(f.value, f.value.capitalize()) for f in Frequency]


class ServiceForm(forms.ModelForm[SharedService]):
    class Meta:
        model = SharedService
        fields = [
            "name",
            "domain",
            "legal_form",
            "convention",
            "signed_on",
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
        convention = cast("forms.ModelChoiceField[Any]", self.fields["convention"])
        convention.queryset = body.conventions.all()  # another body's convention is refused
        convention.error_messages["invalid_choice"] = _(
            "Convention : choisissez une convention de cette structure."
        )
        self.fields["signed_on"].widget = forms.DateInput(attrs=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        convention = data.get("convention")
        if convention is not None and data.get("signed_on") is None:
            data["signed_on"] = first_signature(convention)
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


class OfferForm(forms.ModelForm[Offer]):
    """An offer of the catalogue and its tariff; the grid is checked by the engine together
    with the population bands (`BandFormSet`), the same rules as the JSON import."""

    class Meta:
        model = Offer
        fields = [
            "code",
            "name",
            "category",
            "description",
            "tariff_model",
            "amount",
            "rate",
            "minimum_amount",
            "maximum_amount",
            "population_key",
            "imputation",
        ]

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        for name in ("amount", "rate", "minimum_amount", "maximum_amount"):
            field = cast(forms.DecimalField, self.fields[name])
            field.validators.append(MinValueValidator(Decimal(0)))

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"])
        taken = Offer.objects.filter(pooling_body=self.body, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Code : « %(c)s » est déjà le code d'une autre offre.") % {"c": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_amount"), data.get("maximum_amount")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_amount", _("Maximum annuel : il doit être supérieur ou égal au minimum.")
            )
        return data


class BandForm(forms.ModelForm[TariffBand]):
    class Meta:
        model = TariffBand
        fields = ["lower", "upper", "value"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = cast(forms.DecimalField, self.fields["value"])
        value.validators.append(MinValueValidator(Decimal(0)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lower, upper = data.get("lower"), data.get("upper")
        if lower is not None and upper is not None and upper <= lower:
            self.add_error("upper", _("Jusqu'à : la borne haute doit dépasser la borne basse."))
        return data


BandFormSet = forms.inlineformset_factory(
    Offer, TariffBand, form=BandForm, extra=3, can_delete=True
)


def offer_spec_of(form: OfferForm, bands: Any) -> analysis.OfferSpec:
    """The tariff typed in the offer form and the kept rows of its band formset."""
    data = form.cleaned_data
    rows = sorted(
        (b.cleaned_data["lower"], b.cleaned_data.get("upper"), b.cleaned_data["value"])
        for b in bands.forms
        if b.cleaned_data and not b.cleaned_data.get("DELETE") and "lower" in b.cleaned_data
    )
    return analysis.OfferSpec(
        model=data["tariff_model"],
        amount=data.get("amount"),
        rate=data.get("rate"),
        minimum=data.get("minimum_amount"),
        maximum=data.get("maximum_amount"),
        bands=tuple(rows),
    )


class AcBaseForm(forms.ModelForm[AcBase]):
    class Meta:
        model = AcBase
        fields = ["amount", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        amount = cast(forms.DecimalField, self.fields["amount"])
        amount.validators += [MinValueValidator(-AC_LIMIT), MaxValueValidator(AC_LIMIT)]
        amount.help_text = _(
            "Montant voté par la CLECT avant imputation des services communs ; négatif "
            "lorsque la commune verse l'attribution à l'EPCI."
        )
