"""The data model: businesses, their phone numbers and their calls, console users, the job and access
audit trails."""

from webapp.models.access_event import AccessEvent, AccessEventKind
from webapp.models.activity import IN_FLIGHT, Activity, ActivityKind, ActivityStatus
from webapp.models.base import ValidationError
from webapp.models.business import Business, BusinessStatus
from webapp.models.call_day import CallDay
from webapp.models.call_event import CallEvent, CallReport
from webapp.models.number_history import NumberEvent, NumberHistory
from webapp.models.one_call import record_call
from webapp.models.persistence import commit_or_raise
from webapp.models.phone_number import CAPABILITIES, EmergencyStatus, PhoneNumber, WebhookStatus
from webapp.models.service_address import ServiceAddress
from webapp.models.user import Role, User

__all__ = [
    "CAPABILITIES",
    "IN_FLIGHT",
    "AccessEvent",
    "AccessEventKind",
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "Business",
    "BusinessStatus",
    "CallDay",
    "CallEvent",
    "CallReport",
    "EmergencyStatus",
    "NumberEvent",
    "NumberHistory",
    "PhoneNumber",
    "Role",
    "ServiceAddress",
    "User",
    "ValidationError",
    "WebhookStatus",
    "commit_or_raise",
    "record_call",
]
