"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from models.base import Base
from models.department import Department
from models.request import Request, RequestEvent

__all__ = ["Base", "Department", "Request", "RequestEvent"]
