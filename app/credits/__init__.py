"""The credit engine: pure Python, no ORM, no GraphQL (DESIGN.md).

Entry points:
- `evaluate(credits, learner, tree, award, policy, as_of) -> Evaluation`
- `closest_award(credits, learner, policy, as_of) -> Evaluation | None`
- `plan(credits, learner, tree, award, policy, as_of, catalogue, minimise) -> Plan`
- `builtin_award(award_id, policy) -> Node`, `parse_tree(json) -> Node`
- `get_policy(name)`, `derive_policy(base, overrides)`
- `result_to_json(evaluation)` / `plan_to_json(plan, award)`: the CLI's JSON shapes
- ledger rules in `app.credits.ledger`, unit conversions in `app.credits.units`.
"""

from app.credits.audit_io import result_to_json
from app.credits.awards import AWARDS, builtin_award, resolve_award
from app.credits.catalogue_io import plan_to_json
from app.credits.errors import CreditsError, InputError, PolicyError, TreeError
from app.credits.evaluation import Check, Evaluation, Gap, closest_award, evaluate
from app.credits.model import Credit, Exclusion, Learner, Scores
from app.credits.planner import CatalogueCourse, Plan, plan
from app.credits.policy import Policy, derive_policy, get_policy
from app.credits.requirements import Node, Where, parse_tree

__all__ = [
    "AWARDS",
    "CatalogueCourse",
    "Check",
    "Credit",
    "CreditsError",
    "Evaluation",
    "Exclusion",
    "Gap",
    "InputError",
    "Learner",
    "Node",
    "Plan",
    "Policy",
    "PolicyError",
    "Scores",
    "TreeError",
    "Where",
    "builtin_award",
    "closest_award",
    "derive_policy",
    "evaluate",
    "get_policy",
    "parse_tree",
    "plan",
    "plan_to_json",
    "resolve_award",
    "result_to_json",
]
