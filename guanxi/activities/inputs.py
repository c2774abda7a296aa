"""What callers send to log or change an activity, as one typed value."""

from dataclasses import dataclass, fields

UNSET = object()


@dataclass(frozen=True)
class ActivityFields:
    """Fields of an activity; ``UNSET`` ones are not given (an update leaves them)."""

    kind: object = UNSET
    customer_id: object = UNSET
    lead_id: object = UNSET
    opportunity_id: object = UNSET
    status: object = UNSET
    starts_at: object = UNSET
    ends_at: object = UNSET
    due_on: object = UNSET
    channel: object = UNSET
    subject: object = UNSET
    description: object = UNSET
    outcome: object = UNSET
    participant_ids: object = UNSET

    @classmethod
    def from_mapping(cls, data: dict) -> "ActivityFields":
        """The known fields of ``data`` (others are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def given(self) -> dict:
        """The fields given, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not UNSET
        }
