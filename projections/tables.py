"""Every view table, for Piccolo's app registry and migrations."""

from projections.chain import ChainLink
from projections.community import CommunityView, RuleView
from projections.deliberation import ProposalCoSign, ProposalHistory, ProposalView
from projections.residents import ResidentView
from projections.runner import ProjectionPosition

ALL_TABLES = (
    ProjectionPosition,
    ChainLink,
    CommunityView,
    RuleView,
    ResidentView,
    ProposalView,
    ProposalCoSign,
    ProposalHistory,
)
