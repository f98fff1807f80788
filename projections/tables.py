"""Every view table, for Piccolo's app registry and migrations."""

from projections.chain import ChainLink
from projections.community import CommunityView, RuleView
from projections.deliberation import (
    MatterNotice,
    MatterObjection,
    MatterProgress,
    MatterTimeline,
    MatterView,
    MeetingView,
    MeetingVote,
    ProposalCoSign,
    ProposalHistory,
    ProposalView,
)
from projections.residents import HouseholdView, ResidentView, SignInCodeView
from projections.runner import ProjectionPosition
from projections.volunteering import (
    ActivityView,
    CertificateView,
    ConsentView,
    HonoursView,
    HoursEntry,
    HoursRecordView,
    ShiftRoster,
    ShiftView,
    TeamView,
)

ALL_TABLES = (
    ProjectionPosition,
    ChainLink,
    CommunityView,
    RuleView,
    ResidentView,
    HouseholdView,
    SignInCodeView,
    ProposalView,
    ProposalCoSign,
    ProposalHistory,
    MatterView,
    MatterTimeline,
    MatterNotice,
    MatterObjection,
    MatterProgress,
    MeetingView,
    MeetingVote,
    TeamView,
    ActivityView,
    ShiftView,
    ShiftRoster,
    HoursRecordView,
    HoursEntry,
    CertificateView,
    ConsentView,
    HonoursView,
)
