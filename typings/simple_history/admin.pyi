from typing import TypeVar

from django.contrib import admin
from django.db.models import Model

_ModelT = TypeVar("_ModelT", bound=Model)

class SimpleHistoryAdmin(admin.ModelAdmin[_ModelT]): ...
