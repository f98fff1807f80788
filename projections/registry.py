"""The projections this deployment runs, in the order they are applied."""

from backend.residents.personal import PersonalData
from projections.chain import ChainProjection
from projections.community import CommunityProjection
from projections.deliberation import DeliberationProjection, ProcedureProjection
from projections.residents import ResidentsProjection
from projections.runner import Projection
from projections.volunteering import VolunteeringProjection


def all_projections(personal: PersonalData) -> list[Projection]:
    return [
        ChainProjection(),
        CommunityProjection(),
        ResidentsProjection(personal),
        DeliberationProjection(),
        ProcedureProjection(),
        VolunteeringProjection(),
    ]
