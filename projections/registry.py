"""The projections this deployment runs, in the order they are applied, and every view table (for the engine and
Piccolo's migrations). The composition root of the read side: the one module that names every projection."""

from backend.kernel.personal import PersonalData
from projections.casework.care_handlers import CareProjection
from projections.casework.handlers import CaseworkProjection
from projections.chain.handlers import ChainProjection, CheckpointProjection, MerkleProjection
from projections.chain.keys import KeyProjection
from projections.chain.verification import VerificationProjection
from projections.community.handlers import CommunityProjection
from projections.deliberation.floor import FloorProjection
from projections.deliberation.handlers import DeliberationProjection, ProcedureProjection
from projections.disclosure.handlers import DisclosureProjection
from projections.inbox.handlers import InboxProjection
from projections.news.handlers import NewsProjection
from projections.residents.handlers import ResidentsProjection
from projections.runner import ProjectionPosition
from projections.services.handlers import ServicesProjection
from projections.types import Projection
from projections.volunteering.handlers import VolunteeringProjection
from projections.workload.admission.handlers import AdmissionProjection
from projections.workload.certificates.handlers import CertificatesProjection
from projections.workload.errands.handlers import ErrandsProjection
from projections.workload.one_table.handlers import OneTableProjection

PROJECTIONS = (
    ChainProjection,
    MerkleProjection,  # the Merkle tree over the same log (issue 24)
    CheckpointProjection,  # its signed checkpoints
    KeyProjection,  # the log's and its witnesses' keys
    VerificationProjection,  # the server's check of its own record: failing or not
    CommunityProjection,
    ResidentsProjection,
    DeliberationProjection,
    ProcedureProjection,
    FloorProjection,  # the sittings' speaker lists (issue 29)
    VolunteeringProjection,
    ServicesProjection,
    CaseworkProjection,  # before the inbox, whose notices of cases read its rows
    CareProjection,  # 关爱 and 走访
    InboxProjection,
    DisclosureProjection,
    NewsProjection,  # 社区动态 and the residents' readings (issue 23)
    AdmissionProjection,  # 准入清单: the street's list, tasks, refusals, applications (issue 30)
    CertificatesProjection,  # 证明事项: the street's two lists, requests, the 证明开具登记 (issue 30)
    OneTableProjection,  # 一表通's submissions (issue 30)
    ErrandsProjection,  # 全程代办: errands done for residents, their steps (issue 30)
)


def all_projections(personal: PersonalData) -> list[Projection]:
    """The residents' views open sealed personal data; the others need nothing."""
    return [ResidentsProjection(personal) if p is ResidentsProjection else p() for p in PROJECTIONS]


ALL_TABLES = (ProjectionPosition, *(table for projection in PROJECTIONS for table in projection.tables))
