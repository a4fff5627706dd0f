"""Caps, residency and the explanation: which credits a cap drops, and why."""

from __future__ import annotations

from .builders import certificate_base, credit, many, reasons, run

SWAYAM = {"provider": "swayam", "certificate": True}


def _by_id(result):
    return {e.id: e for e in result.excluded}


def test_swayam_cap_in_courses_keeps_what_the_learner_needs() -> None:
    # semester 1: 3 home courses and 3 SWAYAM courses: at most 2 SWAYAM (2 <= 40% of 5)
    home = many("h", 3, 4, "major")
    online = [
        credit("s_major_a", 4, "major", **SWAYAM),
        credit("s_major_b", 4, "major", **SWAYAM),
        credit("s_minor", 2, "minor", **SWAYAM),
    ]
    tree = {
        "type": "all_of",
        "children": [
            {
                "type": "min_credits",
                "n": 2,
                "where": {"category": "minor"},
                "rule": "T-MIN",
            },
            {"type": "min_credits", "n": 16, "rule": "T-TOT"},
            {
                "type": "max_share",
                "limit": 0.4,
                "per": "semester",
                "unit": "courses",
                "where": {"provider_kind": "swayam"},
                "rule": "R-SWAYAM-CAP",
            },
        ],
    }
    result = run(home + online, tree)
    assert result.eligible
    dropped = _by_id(result)
    # the minor is kept although it is the smallest: the learner needs it
    assert len(dropped) == 1 and "s_minor" not in dropped
    (why,) = dropped.values()
    assert why.reason == "over_cap" and why.rule == "R-SWAYAM-CAP"
    assert (
        "kept" in why.detail and "s_minor" in why.detail and "ties with" in why.detail
    )


def test_swayam_cap_drops_the_credit_that_serves_least() -> None:
    home = many("h", 3, 4, "major")
    online = [
        credit("s4a", 4, "major", **SWAYAM),
        credit("s4b", 4, "major", **SWAYAM),
        credit("s1", 1, "major", **SWAYAM),
    ]
    result = run(home + online + [credit("voc", 4, "vocational", kind="vocational")])
    assert reasons(result) == {"s1": "over_cap"}
    detail = _by_id(result)["s1"].detail
    assert "semester 1" in detail and "would leave a gap of 23 (now 20)" in detail


def test_swayam_cap_unit_is_a_switch() -> None:
    # 2 home courses of 3 credits and 3 SWAYAM courses of 1 credit in one semester:
    # in courses at most 1 SWAYAM (1 <= 40% of 3); in credits all 3 (3 <= 40% of 9)
    records = many("h", 2, 3, "major") + many("s", 3, 1, "major", **SWAYAM)
    by_courses = run(records)
    assert sorted(reasons(by_courses).values()) == ["over_cap", "over_cap"]
    by_credits = run(records, overrides={"R-SWAYAM-CAP": {"unit": "credits"}})
    assert reasons(by_credits) == {}
    off = run(records, overrides={"R-SWAYAM-CAP": {"enabled": False}})
    assert reasons(off) == {}


def test_swayam_cap_is_per_semester() -> None:
    # semester 1 all SWAYAM would break the cap; spread over semesters with home
    # courses it holds in each
    records = many("h1", 3, 4, semester=1) + many("s1", 2, 4, semester=1, **SWAYAM)
    records += many("h2", 3, 4, semester=2) + many("s2", 2, 4, semester=2, **SWAYAM)
    assert reasons(run(records)) == {}
    records += many("s2x", 1, 4, semester=2, **SWAYAM)
    assert list(reasons(run(records)).values()) == ["over_cap"]


def test_micro_credential_cap_switch() -> None:
    records = certificate_base(16, 4) + many(
        "mc", 7, 4, "elective", kind="micro_credential"
    )
    assert run(records).eligible  # R-MC-50 is off in ugc-2023 (a 2024 draft)
    result = run(records, overrides={"R-MC-50": {"enabled": True}})
    assert not result.eligible
    dropped = _by_id(result)
    assert len(dropped) == 2
    assert {(e.reason, e.rule) for e in dropped.values()} == {("over_cap", "R-MC-50")}
    assert [(g.rule, g.short) for g in result.missing] == [("R-CERT", 4)]


def test_residency_leaves_external_credits_out_when_that_keeps_the_share() -> None:
    records = certificate_base(20, 4) + many("ext", 7, 4, provider="coursera")
    result = run(records)
    # all counted: 24 home of 52 (46%); one external left out: 24 of 48 (50%)
    assert result.eligible
    assert list(reasons(result).values()) == ["not_home"]
    (why,) = result.excluded
    assert why.rule == "R-ABC-RES" and "home share" in why.detail


def test_residency_fails_when_not_enough_home_credits() -> None:
    records = certificate_base(8, 4) + many("ext", 10, 4, provider="coursera")
    result = run(records)
    assert not result.eligible
    assert "R-ABC-RES" in {g.rule for g in result.missing} or result.totals.credits < 44


def test_swayam_as_home_switch() -> None:
    no_cap = {"R-SWAYAM-CAP": {"enabled": False}}
    records = certificate_base(16, 4) + many("s", 6, 4, **SWAYAM)
    result = run(records, overrides=no_cap)
    # 20 home credits: counting all 24 SWAYAM breaks the home share, counting 20
    # leaves 36 < 40; either way 4 credits short
    assert not result.eligible
    assert sum(g.short for g in result.missing) == 4
    home = run(records, overrides={**no_cap, "R-ABC-RES": {"swayam_is_home": True}})
    assert home.eligible and reasons(home) == {}


def test_explanation_tree_has_rule_required_actual_used() -> None:
    result = run(certificate_base(36, 4))
    root = result.checks
    assert root.rule == "R-CERT" and not root.met
    credits_node = root.children[0]
    assert (credits_node.required, credits_node.actual, credits_node.met) == (
        40,
        36,
        False,
    )
    assert "voc" not in credits_node.used and len(credits_node.used) == 9
    vocational = root.children[1]
    assert vocational.used == ["voc"] and vocational.met


def test_totals_by_level_and_category() -> None:
    records = certificate_base(8, 4) + [credit("x", 4, "minor", level=5)]
    result = run(records)
    assert result.totals.by_category == {"major": 8, "vocational": 4, "minor": 4}
    assert result.totals.by_level == {"4.5": 12, "5": 4}
    assert result.totals.credit_points == 12 * 4.5 + 4 * 5


def test_closest_award_is_the_smallest_gap() -> None:
    from app.credits.evaluation import closest_award

    from .builders import AS_OF, learner, policy

    nearest = closest_award(certificate_base(36, 4), learner(), policy(), AS_OF)
    assert nearest is not None and nearest.award == "ug_certificate"
    nearest = closest_award(certificate_base(80, 4), learner(), policy(), AS_OF)
    assert nearest is not None and nearest.award == "bachelor"


def test_swayam_cap_in_credits_keeps_the_most_credits() -> None:
    # 6 home credits; SWAYAM credits may be at most 40% of the semester's credits:
    # S <= 0.4 * (6 + S), so S <= 4: keep the 4-credit course, drop the two 1s
    records = many("h", 2, 3, "major") + [
        credit("s4", 4, "major", **SWAYAM),
        credit("s1a", 1, "major", **SWAYAM),
        credit("s1b", 1, "major", **SWAYAM),
    ]
    result = run(records, overrides={"R-SWAYAM-CAP": {"unit": "credits"}})
    dropped = _by_id(result)
    assert sorted(dropped) == ["s1a", "s1b"]
    for why in dropped.values():
        assert (why.reason, why.rule) == ("over_cap", "R-SWAYAM-CAP")
        assert "of the credits" in why.detail and "kept s4" in why.detail


def test_pathway_with_course_and_score_nodes() -> None:
    # an NPTEL-style domain certificate: one named course, two more, mean score 60
    pathway = {
        "type": "all_of",
        "rule": "P-DOMAIN",
        "children": [
            {"type": "course", "ref": "ml-101", "rule": "P-CORE"},
            {"type": "min_courses", "n": 3, "rule": "P-COUNT"},
            {"type": "min_score", "min": 60, "rule": "P-SCORE"},
        ],
    }
    from app.credits.model import Scores

    def scored(cid: str, exam: float, **kw) -> object:
        return credit(cid, 1, provider="nptel", scores=Scores(20, 25, exam, 75), **kw)

    records = [scored("a", 50, course_ref="ml-101"), scored("b", 40), scored("c", 35)]
    result = run(records, pathway)
    assert result.eligible
    core = result.checks.children[0]
    assert core.used == ["a"] and core.met
    low = [scored("a", 30, course_ref="ml-101"), scored("b", 30), scored("c", 30)]
    result = run(low, pathway)
    assert not result.eligible
    # every score is 50%: counting only the named course leaves the smallest gap
    # (2 courses and 10 score points) and still names the score rule
    assert [(g.rule, g.short) for g in result.missing] == [
        ("P-COUNT", 2),
        ("P-SCORE", 10),
    ]
    assert run(records[1:], pathway).missing[0].rule == "P-CORE"


def test_a_low_score_left_out_of_a_mean_says_so() -> None:
    from app.credits.model import Scores

    tree = {
        "type": "all_of",
        "children": [
            {"type": "min_courses", "n": 2, "rule": "P-COUNT"},
            {"type": "min_score", "min": 80, "rule": "P-SCORE"},
        ],
    }
    records = [
        credit(cid, 1, provider="nptel", scores=Scores(assignment, 25, exam, 75))
        for cid, assignment, exam in (("a", 25, 70), ("b", 25, 60), ("low", 10, 30))
    ]
    result = run(records, tree)
    # 95% and 85% average 90%; with the 40% one the mean is 73%, under 80
    assert result.eligible
    (why,) = result.excluded
    assert (why.id, why.reason, why.rule) == ("low", "failed", "P-SCORE")
