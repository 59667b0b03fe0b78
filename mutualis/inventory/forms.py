"""Forms of the inventory; every one works without JavaScript."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from mutualis.inventory.catalogue import CHAPTERS, units_for
from mutualis.inventory.models import Asset, Contract, ServiceRecord, StaffLine
from mutualis.territories.models import Domain, PoolingBody

DATE_WIDGET = {"type": "date"}


class CampaignForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année de référence"),
        min_value=2000,
        max_value=2100,
        help_text=_("Année dont on décrit la situation, par exemple 2025."),
    )
    deadline = forms.DateField(
        label=_("Date limite de réponse"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
    )
    domains = forms.ModelMultipleChoiceField(
        label=_("Domaines inventoriés"),
        queryset=Domain.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un domaine à inventorier.")},
    )

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        domains = body.domains.filter(is_active=True)
        self.fields["domains"].queryset = domains
        self.fields["domains"].initial = list(domains)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if self.body.campaigns.filter(year=year).exists():
            raise forms.ValidationError(
                _("Une campagne existe déjà pour l'année %(year)s."), params={"year": year}
            )
        return year


class ServiceRecordForm(forms.ModelForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1 à 5)"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 : très insatisfait, 5 : très satisfait."),
    )

    class Meta:
        model = ServiceRecord
        fields = [
            "mode",
            "activity_volume",
            "activity_unit",
            "satisfaction",
            "needs",
            "difficulties",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, domain: Domain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_unit"].choices = [("", "—"), *units_for(domain.code)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("activity_volume") is not None and not data.get("activity_unit"):
            self.add_error("activity_unit", _("Précisez l'unité du volume d'activité."))
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AmountField(forms.DecimalField):
    """A decimal typed the French way: `11 400,50` (spaces as thousands separators)."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        return super().to_python(value)


def _amount_field(label: str, *, places: int = 2, max_digits: int = 14) -> forms.DecimalField:
    return AmountField(
        label=label,
        required=False,
        max_digits=max_digits,
        decimal_places=places,
        validators=[MinValueValidator(Decimal(0))],
        localize=True,
    )


class StaffForm(forms.Form):
    """One row per category: ETP and yearly cost. Aggregates only, never names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in StaffLine.Category.choices:
            self.fields[f"fte_{code}"] = _amount_field(
                _("%(category)s — ETP") % {"category": label}, max_digits=6
            )
            self.fields[f"cost_{code}"] = _amount_field(
                _("%(category)s — coût annuel chargé (€)") % {"category": label}
            )

    @classmethod
    def initial_from(cls, lines: Any) -> dict[str, Decimal]:
        initial: dict[str, Decimal] = {}
        for line in lines:
            initial[f"fte_{line.category}"] = line.fte
            initial[f"cost_{line.category}"] = line.cost_amount
        return initial

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[f"fte_{code}"], self[f"cost_{code}"])
            for code, label in StaffLine.Category.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _label in StaffLine.Category.choices:
            fte, cost = data.get(f"fte_{code}"), data.get(f"cost_{code}")
            if cost and not fte:
                self.add_error(f"fte_{code}", _("Indiquez les ETP correspondant à ce coût."))
        return data

    def lines(self) -> list[tuple[str, Decimal, Decimal]]:
        result = []
        for code, _label in StaffLine.Category.choices:
            fte = self.cleaned_data.get(f"fte_{code}")
            cost = self.cleaned_data.get(f"cost_{code}")
            if fte or cost:
                result.append((code, fte or Decimal(0), cost or Decimal(0)))
        return result


class CostForm(forms.Form):
    """Operating costs by M57 chapter, staff of the table above excluded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in CHAPTERS.items():
            self.fields[f"chapter_{code}"] = _amount_field(str(label))

    @classmethod
    def initial_from(cls, lines: Any) -> dict[str, Decimal]:
        return {f"chapter_{line.chapter}": line.amount for line in lines}

    def lines(self) -> list[tuple[str, Decimal]]:
        return [
            (code, amount)
            for code in CHAPTERS
            if (amount := self.cleaned_data.get(f"chapter_{code}"))
        ]


class AssetForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = [
            "kind",
            "name",
            "domain",
            "address",
            "latitude",
            "longitude",
            "capacity",
            "acquisition_year",
            "acquisition_cost_amount",
            "subsidies_amount",
            "useful_life_years",
            "running_cost_amount",
            "utilisation_rate",
            "shareable",
        ]

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if domains is not None:
            self.fields["domain"].queryset = domains
        for name in ("subsidies_amount", "running_cost_amount"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("subsidies_amount", "running_cost_amount"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        cost, subsidies = data.get("acquisition_cost_amount"), data.get("subsidies_amount")
        if cost is not None and subsidies and subsidies > cost:
            self.add_error(
                "subsidies_amount", _("Les subventions dépassent le coût d'acquisition.")
            )
        return data


class ContractForm(forms.ModelForm):
    notice_period_months = forms.IntegerField(
        label=_("Préavis (mois)"),
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )

    class Meta:
        model = Contract
        fields = [
            "kind",
            "vendor",
            "product",
            "domain",
            "yearly_cost_amount",
            "start_on",
            "end_on",
            "notice_period_months",
        ]
        widgets = {
            "start_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "end_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if domains is not None:
            self.fields["domain"].queryset = domains

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", _("La date de fin précède la date de début."))
        return data


class _UniqueRowsFormSet(forms.BaseModelFormSet):
    """Refuses two rows with the same natural key (names compared case-insensitively)."""

    key_fields: tuple[str, ...] = ()
    duplicate_message = ""

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[str, ...]] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            key = tuple(str(data.get(f) or "").strip().lower() for f in self.key_fields)
            if not any(key):
                continue
            if key in seen:
                form.add_error(self.key_fields[-1], self.duplicate_message)
            seen.add(key)


class AssetFormSetBase(_UniqueRowsFormSet):
    key_fields = ("name",)
    duplicate_message = _("Deux biens portent cette désignation : distinguez-les.")


class ContractFormSetBase(_UniqueRowsFormSet):
    key_fields = ("vendor", "product")
    duplicate_message = _("Ce contrat figure deux fois (même fournisseur et même produit).")


AssetFormSet = forms.modelformset_factory(
    Asset, form=AssetForm, formset=AssetFormSetBase, extra=1, can_delete=True
)
ContractFormSet = forms.modelformset_factory(
    Contract, form=ContractForm, formset=ContractFormSetBase, extra=1, can_delete=True
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Classeur rempli (.xlsx)"),
        help_text=_("Le classeur téléchargé depuis cette page, complété."),
    )
