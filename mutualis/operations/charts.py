"""SVG charts of the dashboard, drawn by the inventory's chart helpers (no JavaScript);
the templates always put the data table next to each chart."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from mutualis.engine.money import format_euros, format_number
from mutualis.inventory.charts import Bar, horizontal_bars
from mutualis.operations.queries import ServiceSeries


def unit_cost_chart(series: ServiceSeries) -> SafeString:
    bars = [
        Bar(str(year), cost, f"{format_number(cost, 2)} €")
        for year, cost in sorted(series.unit_costs.items())
    ]
    return horizontal_bars(
        bars,
        chart_id=f"cout-unitaire-{series.service.pk}",
        title=_("Coût unitaire notifié par année — %(s)s") % {"s": series.service.name},
        description=_("Une barre par année ; les valeurs sont dans le tableau qui suit."),
    )


def billed_chart(series: ServiceSeries) -> SafeString:
    bars = [
        Bar(str(year), amount, format_euros(amount))
        for year, amount in sorted(series.billed.items())
    ]
    return horizontal_bars(
        bars,
        chart_id=f"facture-{series.service.pk}",
        title=_("Montants facturés par année — %(s)s") % {"s": series.service.name},
        description=_("Une barre par année ; montants facturés et payés dans le tableau."),
    )
