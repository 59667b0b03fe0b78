"""Scenario forms: the perimeter at creation, everything on edit. The rules are those of
`analysis.check_inputs`, shared with the JSON import."""

from __future__ import annotations

from html import escape
from typing import Any, cast

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from mutualis.engine.games import METHOD_TITLES
from mutualis.inventory.models import Campaign
from mutualis.scenarios import analysis
from mutualis.scenarios.models import COST_FIELDS, FTE_FIELDS, Scenario
from mutualis.territories.models import Domain, Member, MemberAttribute, PoolingBody

PERIMETER_FIELDS = [
    "name",
    "campaign",
    "domain",
    "legal_form",
    "members",
    "start_year",
    "horizon_years",
    "method",
]
COST_MODEL_FIELDS = [
    "workload_unit",
    "productivity",
    "staff_category",
    "cost_per_fte_a",
    "cost_per_fte_b",
    "cost_per_fte_c",
    "fixed_costs_amount",
    "cost_per_unit_amount",
    "transition_costs_amount",
    "staffing_step_fte",
    "manager_span",
    "staff_indexation_rate",
    "other_indexation_rate",
    "discount_rate",
]
KEY_ATTRIBUTES = ("population_municipale", "population_totale", "population_dgf")
# JSON name of a rule -> form field.
FORM_FIELD = {**COST_FIELDS, **{f"cost_per_fte.{c}": f for c, f in FTE_FIELDS.items()}}


def method_choices(body: PoolingBody) -> list[tuple[str, str]]:
    engine = [(m, str(METHOD_TITLES[m]).capitalize()) for m in analysis.ENGINE_METHODS]
    keys = list(KEY_ATTRIBUTES) + list(
        MemberAttribute.objects.filter(member__pooling_body=body)
        .order_by("key")
        .values_list("key", flat=True)
        .distinct()
    )
    return engine + [
        (f"key:{k}", analysis.method_title(f"key:{k}").capitalize()) for k in dict.fromkeys(keys)
    ]


class MemberCheckboxes(forms.CheckboxSelectMultiple):
    """Django's checkbox list markup, written here: the 158 communes of a large EPCI
    rendered through the widget templates took most of the form page's time."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f"<div{flatatt({'id': widget['attrs'].get('id')})}>"]
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                attrs_html = flatatt(option["attrs"])
                parts.append(
                    f'<div><label for="{escape(str(option["attrs"].get("id", "")))}">'
                    f'<input type="checkbox" name="{escape(option["name"])}" '
                    f'value="{escape(str(option["value"]))}"{attrs_html}>\n '
                    f"{escape(str(option['label']))}</label></div>"
                )
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class ScenarioForm(forms.ModelForm[Scenario]):
    method = forms.ChoiceField(label=_("méthode de répartition"))

    class Meta:
        model = Scenario
        fields = PERIMETER_FIELDS
        widgets = {"members": MemberCheckboxes}

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        if "campaign" in self.fields:
            cast(
                "forms.ModelChoiceField[Any]", self.fields["campaign"]
            ).queryset = Campaign.objects.filter(pooling_body=body)
        cast("forms.ModelChoiceField[Any]", self.fields["domain"]).queryset = Domain.objects.filter(
            pooling_body=body, is_active=True
        )
        cast(
            "forms.ModelChoiceField[Any]", self.fields["members"]
        ).queryset = Member.objects.filter(pooling_body=body).order_by("name")
        cast(forms.ChoiceField, self.fields["method"]).choices = method_choices(body)
        self.fields["members"].error_messages["required"] = _(
            "Le scénario doit compter au moins un membre."
        )

    def rule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "horizon_years": data.get("horizon_years"),
            "legal_form": data.get("legal_form"),
            "method": data.get("method"),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for problem in analysis.check_inputs(
            {k: v for k, v in self.rule_values().items() if v is not None}
        ):
            field = FORM_FIELD.get(problem.field, problem.field)
            self.add_error(field if field in self.fields else None, problem.message)
        return cleaned


class ScenarioEditForm(ScenarioForm):
    class Meta(ScenarioForm.Meta):
        fields = [f for f in PERIMETER_FIELDS if f != "campaign"] + COST_MODEL_FIELDS

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, body=body, **kwargs)
        defaults = self.instance.defaults or {}
        for name, field in FORM_FIELD.items():
            if field in self.fields and name in defaults:
                self.fields[field].help_text = _("Valeur par défaut — %(source)s") % {
                    "source": defaults[name]
                }
        for name in ("staff_indexation_rate", "other_indexation_rate", "discount_rate"):
            self.fields[name].help_text = (
                str(self.fields[name].help_text) + " " + str(_("(0,025 pour 2,5 % par an)"))
            ).strip()

    def rule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = super().rule_values()
        for name, field in COST_FIELDS.items():
            values[name] = data.get(field)
        values["cost_per_fte"] = {
            c: data[f] for c, f in FTE_FIELDS.items() if data.get(f) is not None
        }
        return values

    def cost_model(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[field] for name, field in COST_FIELDS.items()}
        values["cost_per_fte"] = {c: self.cleaned_data[f] for c, f in FTE_FIELDS.items()}
        return values


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label=_("libellé de l'instantané"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : conseil communautaire du 12 mars."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("statut"), choices=Scenario.Status.choices)


class CompareForm(forms.Form):
    scenarios = forms.ModelMultipleChoiceField(
        label=_("scénarios à comparer"),
        queryset=Scenario.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["scenarios"]).queryset = queryset

    def clean_scenarios(self) -> Any:
        chosen = self.cleaned_data["scenarios"]
        if not 2 <= len(chosen) <= 4:
            raise forms.ValidationError(_("Choisissez de 2 à 4 scénarios."))
        return chosen
