"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from models.base import Base
from models.department import Department
from models.job import Job
from models.kudos import Kudos, Shoutout
from models.people import Person
from models.report import SharedChart
from models.request import RelayedMessage, Request, RequestEvent
from models.satisfaction import Rating, SatisfactionPulse, SurveyMessage
from models.slack_events import ProcessedEvent
from models.weekly import (
    WeeklyAnswer,
    WeeklyComment,
    WeeklyDelivery,
    WeeklyPendingAnswer,
    WeeklyPendingComment,
    WeeklyRound,
    WeeklySharedUpdate,
)

__all__ = [
    "Base",
    "Department",
    "Job",
    "Kudos",
    "Person",
    "ProcessedEvent",
    "Rating",
    "RelayedMessage",
    "Request",
    "RequestEvent",
    "SatisfactionPulse",
    "SharedChart",
    "Shoutout",
    "SurveyMessage",
    "WeeklyAnswer",
    "WeeklyComment",
    "WeeklyDelivery",
    "WeeklyPendingAnswer",
    "WeeklyPendingComment",
    "WeeklyRound",
    "WeeklySharedUpdate",
]
