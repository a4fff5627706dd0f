"""The access matrix: every role against every private field, every node
type and every mutation, generated from the schema.

Private types are those reachable from the private root fields and not from
the public catalogue. Every field of every private type, every private root
field and every mutation must have a rule below: a new field without one
fails `test_every_private_field_and_mutation_has_a_rule`.
"""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from app.credentials.signing import signer_for
from app.db.models.catalogue import Programme
from app.db.models.learners import Award, LedgerEntry
from app.db.models.pathways import Pathway
from app.db.models.sync import SyncRun
from app.graphql.learners import clr
from app.graphql.schema import get_schema
from tests.factories import make_course
from tests.graphql.learners.conftest import (
    APAAR,
    OTHER_APAAR,
    World,
    codes,
    gql,
    make_credential,
)

# ---------------------------------------------------------------- the roles
ROLES: dict[str, tuple[str, str] | None] = {
    "anonymous": None,
    "self": ("learner", APAAR),
    "other_learner": ("learner", OTHER_APAAR),
    "home_admin": ("institution_admin", "home-u"),
    "away_admin": ("institution_admin", "away-u"),
    "platform": ("platform_admin", "ops"),
    "connector": ("connector", "bot"),
}
OK, NF, FB, UA = "ok", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"


def rule(**outcomes: str) -> dict[str, str]:
    assert set(outcomes) == set(ROLES), set(ROLES) ^ set(outcomes)
    return outcomes


# the learner, an admin of their institution, a platform admin
READ = rule(
    anonymous=UA,
    self=OK,
    other_learner=NF,
    home_admin=OK,
    away_admin=NF,
    platform=OK,
    connector=FB,
)
# the learner and platform admins only (access log, export, erasure)
OWN = rule(
    anonymous=UA,
    self=OK,
    other_learner=NF,
    home_admin=FB,
    away_admin=FB,
    platform=OK,
    connector=FB,
)
OWN_LOG = {**OWN, "away_admin": NF}  # the away admin cannot see the learner at all
OPERATE = rule(
    anonymous=UA,
    self=FB,
    other_learner=FB,
    home_admin=FB,
    away_admin=FB,
    platform=OK,
    connector=OK,
)
PLATFORM = rule(
    anonymous=UA,
    self=FB,
    other_learner=FB,
    home_admin=FB,
    away_admin=FB,
    platform=OK,
    connector=FB,
)
MANAGE_PROGRAMME = {**PLATFORM, "home_admin": OK}
REGISTER = {**PLATFORM, "home_admin": OK, "away_admin": OK}


def each(outcome: dict[str, str], names: str) -> dict[str, dict[str, str]]:
    return {name: outcome for name in names.split()}


# --------------------------------------------------------- field rules
FIELD_RULES: dict[str, dict[str, dict[str, str]]] = {
    "Learner": {
        **each(
            READ,
            "id apaarId abcAccountId name email createdAt erasedAt "
            "homeInstitution credentials ledger awards creditBalance "
            "eligibility pathwayProgress plan clr",
        ),
        "accessLog": OWN_LOG,
    },
    "LearnerConnection": each(READ, "pageInfo edges"),
    "LearnerEdge": each(READ, "cursor node"),
    "InstitutionSummary": each(READ, "slug name aisheCode abcRegistered"),
    "CredentialConnection": each(READ, "pageInfo edges"),
    "CredentialEdge": each(READ, "cursor node"),
    "Credential": each(
        READ,
        "id kind title earnedOn issuerName issuerRegistered "
        "score grade credits creditsSource ncrfLevel category "
        "alsoCountsAs semester certificate evidenceUrl format "
        "verificationStatus verifiedAt createdAt course issuer "
        "verification euMicroCredential",
    ),
    "Verification": each(
        READ,
        "verdict format credentialId checkedAt checks issuer achievement credentials",
    ),
    "VerificationCheck": each(READ, "name status detail"),
    "VerifiedIssuer": each(READ, "id name url"),
    "VerifiedAchievement": each(READ, "name credits creditsSource"),
    "EuMicroCredential": each(READ, "complete missing elements"),
    "EuElement": each(READ, "element value source missing"),
    "LedgerEntry": each(READ, "id kind credits note createdAt credential award"),
    "Award": each(
        READ,
        "id awardCode title policyName policyVersion policyOverrides asOf decidedAt",
    ),
    "CreditBalance": each(
        READ, "asOf policy available redeemed expired byLevel byCategory onlineShare"
    ),
    "BalanceGroup": each(READ, "key available redeemed expired"),
    "PolicyRef": each(READ, "name version"),
    "Eligibility": each(
        READ,
        "award policy asOf eligible checks excluded missing "
        "used totalCredits creditPoints",
    ),
    "Check": each(
        READ, "rule type description required actual met used excluded children"
    ),
    "Exclusion": each(READ, "credential reason rule detail"),
    "Gap": each(READ, "rule what required actual short"),
    "PathwayProgress": each(
        READ, "pathway complete coursesRequired coursesDone result"
    ),
    "GapPlan": each(
        READ,
        "award feasible minimise courses totalHours totalFee weeks missing cannotMeet",
    ),
    "PlannedCourse": each(
        READ, "ref title provider credits hours fee currency start weeks"
    ),
    "AccessLogEntry": each(OWN_LOG, "at actorRole actorSubject what"),
    "SyncRun": each(
        OPERATE,
        "id source connector status full complete requestedBy "
        "queuedAt startedAt finishedAt pages seen created "
        "updated unchanged withdrawn quarantined error worker "
        "run quarantine",
    ),
    "SyncRunConnection": each(OPERATE, "pageInfo edges"),
    "SyncRunEdge": each(OPERATE, "cursor node"),
    "QuarantinedItem": each(OPERATE, "recordKey reason createdAt"),
}
# Private root fields: how the matrix reaches each private type.
ROOT_RULES = {
    "me": "self only",
    "learner": READ,
    "learners": "list",
    "syncRun": OPERATE,
    "syncRuns": OPERATE,
    "node": "per type",
}
NODE_RULES = {
    "Learner": READ,
    "Credential": READ,
    "LedgerEntry": READ,
    "Award": READ,
    "SyncRun": OPERATE,
}

# --------------------------------------------------------- the schema walk


def _reach(start: list[GraphQLObjectType], seen: set[str]) -> set[str]:
    stack = list(start)
    while stack:
        t = stack.pop()
        if t.name in seen:
            continue
        seen.add(t.name)
        for f in t.fields.values():
            n = get_named_type(f.type)
            if isinstance(n, GraphQLObjectType):
                stack.append(n)
    return seen


def _roots(schema: GraphQLSchema, private: bool) -> list[GraphQLObjectType]:
    out = []
    for name, f in schema.query_type.fields.items():  # type: ignore[union-attr]
        n = get_named_type(f.type)
        if isinstance(n, GraphQLObjectType) and (name in ROOT_RULES) == private:
            out.append(n)
    return out


def private_types(schema: GraphQLSchema) -> set[str]:
    public = _reach(_roots(schema, private=False), set())
    return _reach(_roots(schema, private=True), set()) - public


@dataclass
class Ids:
    pathway: str
    programme: str
    learner: str
    credential: str
    ledger: str
    award: str
    sync_run: str


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _args(type_name: str, field: str, ids: Ids) -> str:
    award = '{builtin: "ug_certificate"}'
    return {
        ("Learner", "eligibility"): f"(award: {award})",
        ("Learner", "plan"): f"(award: {award})",
        ("Learner", "pathwayProgress"): f'(pathway: "{ids.pathway}")',
    }.get((type_name, field), "")


def _selection(
    schema: GraphQLSchema, root: str, types: set[str], ids: Ids, only: str | None = None
) -> tuple[str, set[str]]:
    """One selection from `root` (through its field `only`, when given) that
    reaches every field of every private type reachable from there (breadth
    first: each type through its shortest path); and those types."""
    paths: dict[str, list[tuple[str, str, str]]] = {root: []}
    queue = deque([root])
    while queue:
        name = queue.popleft()
        t = schema.type_map[name]
        assert isinstance(t, GraphQLObjectType)
        for fname, f in t.fields.items():
            if name == root and only is not None and fname != only:
                continue
            n = get_named_type(f.type)
            if (
                isinstance(n, GraphQLObjectType)
                and n.name in types
                and (n.name not in paths)
            ):
                paths[n.name] = [*paths[name], (name, fname, n.name)]
                queue.append(n.name)

    tree: dict = {}
    for type_name, path in paths.items():
        node = tree
        for parent, fname, _ in path:
            node = node.setdefault((fname, _args(parent, fname, ids)), {})
        t = schema.type_map[type_name]
        assert isinstance(t, GraphQLObjectType)
        for fname, f in t.fields.items():
            if type_name == root and only is not None and fname != only:
                continue
            key = (fname, _args(type_name, fname, ids))
            named = get_named_type(f.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                node.setdefault(key, {"__typename": {}})
            else:
                node.setdefault(key, None)

    def render(node: dict) -> str:
        parts = []
        for key, sub in node.items():
            if key == "__typename":
                parts.append("__typename")
                continue
            fname, args = key
            parts.append(f"{fname}{args}" + (f" {{ {render(sub)} }}" if sub else ""))
        return " ".join(parts)

    return render(tree), set(paths) - {root}


# ------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Learner.clr signs with the platform key; the test app has none on disk."""
    signer = signer_for(Ed25519PrivateKey.generate())
    monkeypatch.setattr(clr, "signer_of", lambda settings: signer)


@pytest_asyncio.fixture
async def ids(world: World) -> Ids:
    course = await make_course(world.provider, "noc-a", "A")
    credential = await make_credential(
        world.learner,
        course=course,
        issuer=world.provider,
        credits=4,
        # an imported credential, so the fields under verification resolve
        document={"name": "A", "issuer": {"name": "NPTEL"}},
        verification={
            "verdict": "valid",
            "format": "ob3-vc2",
            "checks": [{"name": "proof", "status": "passed", "detail": ""}],
            "issuer": {"name": "NPTEL"},
            "achievement": {"name": "A", "credits": 4},
        },
    )
    award = await Award.create(
        learner=world.learner,
        award_code="c",
        title="C",
        policy_name="ugc-2023",
        policy_version="2023.1",
        as_of=date(2024, 1, 1),
    )
    debit = await LedgerEntry.create(
        learner=world.learner,
        credential=credential,
        kind="debit",
        credits=Decimal(4),
        award=award,
    )
    pathway = await Pathway.create(
        slug="p",
        external_id="p",
        title="P",
        requirement={"type": "course", "ref": "noc-a"},
    )
    programme = await Programme.create(
        institution=world.home,
        external_id="x",
        name="X",
        requirement={"type": "min_credits", "n": 4},
    )
    run = await SyncRun.create(source="swayam", connector="swayam", status="queued")
    return Ids(
        pathway=gid("Pathway", pathway.id),
        programme=gid("Programme", programme.id),
        learner=gid("Learner", world.learner.id),
        credential=gid("Credential", credential.id),
        ledger=gid("LedgerEntry", debit.id),
        award=gid("Award", award.id),
        sync_run=gid("SyncRun", run.id),
    )


def _outcome(body: dict, field: str) -> str:
    found = codes(body)
    if not found:
        assert body["data"][field] is not None, body
        return OK
    assert len(set(found)) == 1, body
    # nothing of the learner leaks into a refusal
    assert "Asha" not in str(body) and "asha@" not in str(body)
    return found[0]


# ------------------------------------------------------------------ tests


def test_every_private_field_and_mutation_has_a_rule() -> None:
    schema = get_schema()._schema
    private = private_types(schema)
    have = {f"{t}.{f}" for t, fields in FIELD_RULES.items() for f in fields}
    need = {f"{t}.{f}" for t in private for f in schema.type_map[t].fields}  # type: ignore[attr-defined]
    assert need - have == set(), "fields without an access rule"
    assert have - need == set(), "rules for fields that no longer exist"
    mutations = set(schema.mutation_type.fields)  # type: ignore[union-attr]
    assert mutations ^ set(MUTATION_RULES) == set(), "mutations without a rule"
    nodes = {
        t
        for t in private
        if any(i.name == "Node" for i in schema.type_map[t].interfaces)
    }  # type: ignore[attr-defined]
    assert nodes ^ set(NODE_RULES) == set(), "node types without a rule"
    roots = {
        n
        for n in schema.query_type.fields  # type: ignore[union-attr]
        if n in ROOT_RULES
    }
    assert roots == set(ROOT_RULES)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_learner_fields(
    client: httpx.AsyncClient, world: World, ids: Ids, role: str
) -> None:
    """Each field of Learner alone, with every field of every type under it."""
    schema = get_schema()._schema
    types = private_types(schema)
    for field, outcomes in FIELD_RULES["Learner"].items():
        selection, below = _selection(schema, "Learner", types, ids, only=field)
        for type_name in below:  # a type under a field follows that field's rule
            assert all(r == outcomes for r in FIELD_RULES[type_name].values()), (
                field,
                type_name,
            )
        body = await gql(
            client,
            f'{{ learner(apaarId: "{APAAR}") {{ {selection} }} }}',
            as_=ROLES[role],
        )
        assert _outcome(body, "learner") == outcomes[role], (field, body)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_sync_run_fields(
    client: httpx.AsyncClient, world: World, ids: Ids, role: str
) -> None:
    schema = get_schema()._schema
    selection, _ = _selection(schema, "SyncRun", private_types(schema), ids)
    body = await gql(
        client,
        f'{{ syncRun(id: "{ids.sync_run}") {{ {selection} }} }}',
        as_=ROLES[role],
    )
    assert _outcome(body, "syncRun") == OPERATE[role], body
    runs = await gql(
        client,
        "{ syncRuns { edges { cursor node { id } } pageInfo { hasNextPage } } }",
        as_=ROLES[role],
    )
    assert _outcome(runs, "syncRuns") == OPERATE[role], runs


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_node_route(
    client: httpx.AsyncClient, world: World, ids: Ids, role: str
) -> None:
    for type_name, node_id in {
        "Learner": ids.learner,
        "Credential": ids.credential,
        "LedgerEntry": ids.ledger,
        "Award": ids.award,
        "SyncRun": ids.sync_run,
    }.items():
        body = await gql(
            client,
            f'{{ node(id: "{node_id}") {{ id ... on {type_name} {{ __typename }} }} }}',
            as_=ROLES[role],
        )
        assert _outcome(body, "node") == NODE_RULES[type_name][role], (type_name, body)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_learner_lists_only_show_what_the_role_may_read(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    body = await gql(
        client, "{ learners { edges { node { apaarId } } } }", as_=ROLES[role]
    )
    expected = {
        "anonymous": UA,
        "connector": FB,
        "self": [APAAR],
        "other_learner": [OTHER_APAAR],
        "home_admin": [APAAR],
        "away_admin": [OTHER_APAAR],
        "platform": sorted([APAAR, OTHER_APAAR]),
    }[role]
    if isinstance(expected, str):
        assert codes(body) == [expected]
    else:
        seen = [e["node"]["apaarId"] for e in body["data"]["learners"]["edges"]]
        assert seen == expected


# ------------------------------------------------------------ mutations
TREE = '{type: "min_credits", n: 4}'
MUTATION_RULES: dict[str, tuple[dict[str, str], str]] = {
    "registerLearner": (
        REGISTER,
        'registerLearner(input: {apaarId: "555555555555"}) { userErrors { code } }',
    ),
    "addCredential": (
        READ,
        f'addCredential(apaarId: "{APAAR}", input: {{title: "T", '
        'earnedOn: "2024-01-01"}) { userErrors { code } }',
    ),
    "redeemCredits": (
        READ,
        f'redeemCredits(apaarId: "{APAAR}", award: {{builtin: "ug_certificate"}})'
        " { userErrors { code } }",
    ),
    "createPathway": (
        PLATFORM,
        f'createPathway(input: {{slug: "n", title: "N", requirement: {TREE}}})'
        " { userErrors { code } }",
    ),
    "updatePathway": (
        PLATFORM,
        'updatePathway(id: "{pathway}", input: {{title: "M"}}) '
        "{{ userErrors {{ code }} }}",
    ),
    "createProgramme": (
        MANAGE_PROGRAMME,
        'createProgramme(input: {externalId: "n", name: "N", '
        f'institution: "home-u", requirement: {TREE}}}) {{ userErrors {{ code }} }}',
    ),
    "updateProgramme": (
        MANAGE_PROGRAMME,
        'updateProgramme(id: "{programme}", input: {{name: "M"}}) '
        "{{ userErrors {{ code }} }}",
    ),
    "importCredential": (
        READ,
        f'importCredential(apaarId: "{APAAR}", input: {{}}) '
        "{ userErrors { code } }",
    ),
    "reverifyCredential": (
        READ,
        'reverifyCredential(id: "{credential}") {{ userErrors {{ code }} }}',
    ),
    "exportLearnerData": (OWN, f'exportLearnerData(apaarId: "{APAAR}")'),
    "eraseLearner": (OWN, f'eraseLearner(apaarId: "{APAAR}") {{ erased }}'),
    "startSync": (OPERATE, 'startSync(source: "swayam") { userErrors { code } }'),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_mutations(
    client: httpx.AsyncClient, world: World, ids: Ids, role: str
) -> None:
    # erasure last: it takes the learner out of reach of what follows
    for mutation in sorted(MUTATION_RULES, key=lambda m: m == "eraseLearner"):
        outcomes, field = MUTATION_RULES[mutation]
        if any(f"{{{n}}}" in field for n in ("pathway", "programme", "credential")):
            field = field.format(
                pathway=ids.pathway, programme=ids.programme, credential=ids.credential
            )
        body = await gql(client, f"mutation {{ {field} }}", as_=ROLES[role])
        assert _outcome(body, mutation) == outcomes[role], (mutation, body)


ME = rule(
    anonymous=UA,
    self=OK,
    other_learner=OK,
    home_admin=FB,
    away_admin=FB,
    platform=FB,
    connector=FB,
)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", list(ROLES))
async def test_me_is_for_learners(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    body = await gql(client, "{ me { apaarId } }", as_=ROLES[role])
    assert _outcome(body, "me") == ME[role], body
    if ME[role] == OK:
        assert body["data"]["me"]["apaarId"] == ROLES[role][1]  # type: ignore[index]
