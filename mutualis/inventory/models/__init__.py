"""The inventory (état des lieux): one campaign per pooling body and reference year.

Everything a member declares hangs off the campaign: service records (with staff and
cost lines), assets and contracts are snapshots for the campaign's reference year, so
that next year's campaign can differ without rewriting this one.
"""

from mutualis.inventory.models.campaign import Campaign, Submission
from mutualis.inventory.models.imports import ImportLog, PendingImport
from mutualis.inventory.models.records import Asset, Contract, CostLine, ServiceRecord, StaffLine

__all__ = [
    "Asset",
    "Campaign",
    "Contract",
    "CostLine",
    "ImportLog",
    "PendingImport",
    "ServiceRecord",
    "StaffLine",
    "Submission",
]
