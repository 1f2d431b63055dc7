"""The base of every persisted model, and the schema version they are written with."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict

#: The version of the documents written today (project.json, shots, elements, brief).
SCHEMA_VERSION = 1

_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class _Model(BaseModel):
    """Base of every persisted model: unknown keys are refused, assignments validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)

    def digest(self, *, exclude: set[str] | None = None) -> str:
        """A stable SHA-256 of the model's JSON (sorted keys), for staleness and versions."""
        data = self.model_dump(mode="json", exclude=exclude)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()
