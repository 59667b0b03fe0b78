"""Running shared services year after year (déploiement / pilotage).

A `SharedService` has members over time and a billing mode. Each year its unit cost is
determined from the latest comptes administratifs (`UnitCostNotice` with its
`ChargeLine`s and forecast units) and notified; actual units (`UnitEntry`, per member and
month) then give the `Statement`s. The digital-services catalogue (`Offer`, `TariffBand`,
`Subscription`) is billed through the same statements. Issued statements are frozen.
One module per part: `shared`, `cycle`, `statements`, `catalogue`.
"""

from mutualis.fields import LegalForm
from mutualis.operations.models.catalogue import (
    Catalogue,
    Offer,
    Subscription,
    TariffBand,
)
from mutualis.operations.models.cycle import (
    ChargeLine,
    MemberForecast,
    UnitCostNotice,
    UnitEntry,
)
from mutualis.operations.models.shared import (
    YEAR,
    AcBase,
    ServiceMember,
    SharedService,
)
from mutualis.operations.models.statements import (
    FrozenStatement,
    Statement,
    StatementLine,
)

__all__ = [
    "YEAR",
    "AcBase",
    "Catalogue",
    "ChargeLine",
    "FrozenStatement",
    "LegalForm",
    "MemberForecast",
    "Offer",
    "ServiceMember",
    "SharedService",
    "Statement",
    "StatementLine",
    "Subscription",
    "TariffBand",
    "UnitCostNotice",
    "UnitEntry",
]
