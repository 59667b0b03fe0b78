"""Forms of the conventions; every rule comes from `rules`, shared with services and CLI."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from mutualis.conventions import rules
from mutualis.conventions.documents import TemplateRenderError, sample_template_check
from mutualis.conventions.legal_forms import LegalFormCode
from mutualis.conventions.models import (
    TERM_FIELDS,
    ConventionVersion,
    Deliberation,
    DocumentTemplate,
    Party,
    StaffLine,
)
from mutualis.conventions.template_files import (
    TemplateFileError,
    check_archive,
    template_format,
)
from mutualis.engine.money import MONEY_DIGITS
from mutualis.territories.models import Member, PoolingBody

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class TermsForm(forms.ModelForm[ConventionVersion]):
    """The terms of a draft version; `legal_form` decides the required ones."""

    class Meta:
        model = ConventionVersion
        fields = TERM_FIELDS
        widgets = {
            "start_on": DATE,
            "end_on": DATE,
            "cst_consulted_on": DATE,
            "subject": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "termination_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, legal_form: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms_legal_form = legal_form
        self.fields["termination_terms"].help_text = _(
            "Laissez vide pour la clause par défaut (préavis, sans indemnité)."
        )

    def current_legal_form(self) -> str:
        return self.terms_legal_form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        legal_form = self.current_legal_form()
        if legal_form:
            for problem in rules.check_terms(legal_form, cleaned):
                field = problem.field if problem.field in self.fields else None
                self.add_error(field, problem.message)
        return cleaned


class DraftForm(TermsForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    legal_form = forms.ChoiceField(label=_("Forme juridique"), choices=LegalFormCode.choices)
    members = forms.ModelMultipleChoiceField(
        label=_("Communes parties"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une commune partie.")},
    )

    field_order = ["title", "legal_form", "members"]

    def __init__(self, *args: Any, body: PoolingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Any]", self.fields["members"]
        ).queryset = body.members.order_by("name")

    def current_legal_form(self) -> str:
        return str(self.cleaned_data.get("legal_form") or "")


class PartiesForm(forms.Form):
    """Forecast units and key weight of every party, one pair of fields per party; with an
    AC deduction, each commune's attribution de compensation before deduction too."""

    def __init__(self, *args: Any, parties: list[Party], with_ac: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parties = parties
        self.with_ac = with_ac
        for party in parties:
            self.fields[f"units_{party.pk}"] = forms.DecimalField(
                label=_("Unités prévisionnelles — %(name)s") % {"name": party.name},
                max_digits=14,
                decimal_places=2,
                validators=[MinValueValidator(Decimal(0))],
                initial=party.forecast_units,
            )
            self.fields[f"weight_{party.pk}"] = forms.DecimalField(
                label=_("Poids dans la clé — %(name)s") % {"name": party.name},
                max_digits=18,
                decimal_places=4,
                validators=[MinValueValidator(Decimal(0))],
                initial=party.key_weight,
            )
            if with_ac and not party.is_pooling_body:
                self.fields[f"ac_{party.pk}"] = forms.DecimalField(
                    label=_("Attribution de compensation avant imputation (€) — %(name)s")
                    % {"name": party.name},
                    help_text=_("Montant annuel, négatif si la commune verse l'attribution."),
                    max_digits=MONEY_DIGITS["max_digits"],
                    decimal_places=2,
                    initial=party.ac_base,
                    error_messages={
                        "required": _(
                            "Indiquez l'attribution de compensation de %(name)s "
                            "(CGI art. 1609 nonies C)."
                        )
                        % {"name": party.name}
                    },
                )

    def rows(self) -> list[tuple[Party, Decimal, Decimal, Decimal | None]]:
        """(party, units, weight, AC base) per party, for `services.PartyRow`."""
        data = self.cleaned_data
        return [
            (
                p,
                data[f"units_{p.pk}"],
                data[f"weight_{p.pk}"],
                data.get(f"ac_{p.pk}", p.ac_base),
            )
            for p in self.parties
        ]

    def lines(self) -> list[tuple[Party, forms.BoundField, forms.BoundField, Any]]:
        return [
            (
                p,
                self[f"units_{p.pk}"],
                self[f"weight_{p.pk}"],
                self[f"ac_{p.pk}"] if f"ac_{p.pk}" in self.fields else None,
            )
            for p in self.parties
        ]


StaffFormSet = forms.modelformset_factory(
    StaffLine, fields=["category", "mode", "fte", "description"], extra=2, can_delete=True
)


class DeliberationForm(forms.ModelForm[Deliberation]):
    class Meta:
        model = Deliberation
        fields = [
            "deciding_body",
            "voted_on",
            "number",
            "votes_for",
            "votes_against",
            "abstentions",
        ]
        widgets = {"voted_on": DATE}

    def __init__(self, *args: Any, version: ConventionVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version

    def clean_voted_on(self) -> Any:
        voted_on = self.cleaned_data["voted_on"]
        for problem in rules.check_deliberation_date(voted_on, self.version.sent_on):
            raise forms.ValidationError(problem.message)
        return voted_on


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("Date de transmission aux parties"), widget=DATE)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Date de signature"), widget=DATE)
    signed_scan = forms.FileField(
        label=_("Exemplaire signé (PDF)"),
        help_text=_("Le scan de la convention signée par toutes les parties, au format PDF."),
    )

    def clean_signed_scan(self) -> Any:
        upload = self.cleaned_data["signed_scan"]
        head = upload.read(8)
        upload.seek(0)
        for problem in rules.check_scan(upload.name, head, upload.size):
            self.add_error("signed_scan", problem.message)
        return upload


class AvenantForm(forms.Form):
    reason = forms.CharField(
        label=_("Objet de l'avenant"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("Date de résiliation"), widget=DATE)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class TemplateForm(forms.ModelForm[DocumentTemplate]):
    """A DOCX or ODT template is accepted only if its archive is sound and it renders with
    sample values: its error is shown, named, and nothing is stored."""

    file_format = ""

    class Meta:
        model = DocumentTemplate
        fields = ["legal_form", "kind", "file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > TEMPLATE_MAX_BYTES:
            raise forms.ValidationError(_("Le modèle dépasse 5 Mo."))
        content = upload.read()
        upload.seek(0)
        try:
            fmt = template_format(upload.name)
            check_archive(content, upload.name, fmt)
            sample_template_check(content, fmt)
        except (TemplateFileError, TemplateRenderError) as exc:
            raise forms.ValidationError(
                _("« %(name)s » ne peut pas servir de modèle : %(error)s"),
                params={"name": upload.name, "error": str(exc)},
            ) from exc
        self.file_format = fmt
        return upload
