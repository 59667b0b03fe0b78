"""Forms of the inventory; every one works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from mutualis.inventory import rules
from mutualis.inventory.catalogue import CHAPTERS, units_for
from mutualis.inventory.models import Asset, Contract, ServiceRecord, StaffLine
from mutualis.territories.models import Domain, PoolingBody

DATE_WIDGET = {"type": "date"}
RANGE_OF_PREFIX = {"fte_": "fte", "cost_": "cost_amount", "chapter_": "amount"}


def range_validator(name: str) -> Callable[[Any], None]:
    """The upper bound of field `name` (rules.RANGES), as a form validator.

    Every field already refuses values below its minimum through its model or form field,
    with Django's message; this adds the documented maximum.
    """
    bounds = rules.RANGES[name]

    def validate(value: Any) -> None:
        if value is None or value < bounds.low:
            return
        if problem := rules.in_range(name, value):
            raise forms.ValidationError(rules.sentence(problem), code="range")

    return validate


if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # what the mixin is combined with
else:
    _FormBase = object


class BoundedMixin(_FormBase):
    """Adds the documented range of each numeric field (rules.RANGES) to its validators."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        self.bound_numbers()
        super().full_clean()

    def bound_numbers(self) -> None:
        if getattr(self, "_bounded", False):
            return
        self._bounded = True
        for field_name, field in self.fields.items():
            name = field_name
            for prefix, rule in RANGE_OF_PREFIX.items():
                if field_name.startswith(prefix):
                    name = rule
            if name in rules.RANGES and isinstance(field, forms.DecimalField | forms.IntegerField):
                field.validators.append(range_validator(name))


class CampaignForm(BoundedMixin, forms.Form):
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
        cast("forms.ModelChoiceField[Any]", self.fields["domains"]).queryset = domains
        self.fields["domains"].initial = list(domains)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if self.body.campaigns.filter(year=year).exists():
            raise forms.ValidationError(
                _("Une campagne existe déjà pour l'année %(year)s."), params={"year": year}
            )
        return year


class ServiceRecordForm(BoundedMixin, forms.ModelForm[ServiceRecord]):
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
        cast(forms.ChoiceField, self.fields["activity_unit"]).choices = [
            ("", "—"),
            *units_for(domain.code),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if problem := rules.unit_problem(data.get("activity_volume"), data.get("activity_unit")):
            self.add_error("activity_unit", rules.sentence(problem))
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AmountField(forms.DecimalField):
    """A decimal typed the French way: `11 400,50` (spaces as thousands separators)."""

    # django-stubs declares DecimalField without its own to_python (it returns a Decimal).
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
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


class StaffForm(BoundedMixin, forms.Form):
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

    def rows(self) -> list[tuple[StrOrPromise, forms.BoundField, forms.BoundField]]:
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


class CostForm(BoundedMixin, forms.Form):
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


class AssetForm(BoundedMixin, forms.ModelForm[Asset]):
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
            cast("forms.ModelChoiceField[Any]", self.fields["domain"]).queryset = domains
        for name in ("subsidies_amount", "running_cost_amount"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("subsidies_amount", "running_cost_amount"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        cost, subsidies = data.get("acquisition_cost_amount"), data.get("subsidies_amount")
        if problem := rules.subsidies_problem(cost, subsidies):
            self.add_error("subsidies_amount", rules.sentence(problem))
        return data


class ContractForm(BoundedMixin, forms.ModelForm[Contract]):
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
            cast("forms.ModelChoiceField[Any]", self.fields["domain"]).queryset = domains

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if problem := rules.dates_problem(data.get("start_on"), data.get("end_on")):
            self.add_error("end_on", rules.sentence(problem))
        return data


class _UniqueRowsFormSet(forms.BaseModelFormSet[models.Model]):
    """Refuses two rows with the same natural key (names compared case-insensitively)."""

    key_fields: tuple[str, ...] = ()
    duplicate_message: StrOrPromise = ""

    def clean(self) -> None:
        super().clean()
        seen: set[tuple[str, ...]] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            # BaseFormSet._should_delete_form is private, hence absent from django-stubs.
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
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


class ConfirmImportForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    overwrite = forms.BooleanField(
        label=_("Écraser aussi les lignes en conflit (modifiées dans Mutualis depuis l'export)"),
        required=False,
    )
