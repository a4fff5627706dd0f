"""The built-in UGC awards: one worked case per rule and per switch of RULES.md."""

from __future__ import annotations

from app.credits.model import Credit

from .builders import certificate_base, credit, learner, many, reasons, run


def _gaps(result) -> list[tuple[str, str, float]]:
    return [(g.rule, g.what, g.short) for g in result.missing]


def test_certificate_met_with_40_plus_4_vocational() -> None:
    result = run(certificate_base(40, 4))
    assert result.eligible
    assert result.missing == []
    assert result.totals.credits == 44
    assert result.totals.credit_points == 44 * 4.5


def test_vocational_credits_cannot_fill_the_40() -> None:
    result = run(certificate_base(36, 8))
    assert not result.eligible
    assert _gaps(result) == [("R-CERT", "credits", 4)]


def test_certificate_without_vocational_is_short_of_it() -> None:
    result = run(certificate_base(44, 0))
    assert _gaps(result) == [("R-CERT", "vocational credits", 4)]


def test_certificate_sec_reading_switch() -> None:
    records = certificate_base(40, 4)
    assert run(records).eligible
    result = run(records, overrides={"R-CERT": {"sec_reading": True}})
    assert _gaps(result) == [("R-CERT", "sec credits", 6)]


def test_institution_44_88_thresholds() -> None:
    # 44/88 read as 40 + 4 and 80 + 8: the override sets the two minimums separately
    diploma = certificate_base(80, 4)
    assert run(diploma, "ug_diploma").eligible
    college = {"R-DIP": {"vocational": 8}, "R-CERT": {"credits": 40, "vocational": 4}}
    result = run(diploma, "ug_diploma", overrides=college)
    assert _gaps(result) == [("R-DIP", "vocational credits", 4)]
    assert run(certificate_base(40, 4), overrides=college).eligible


def _degree(total: float, **minimums: float) -> list[Credit]:
    out: list[Credit] = []
    for category, n in minimums.items():
        out += many(category[:3], int(n // 2), 2, category, semester=1 + len(out) % 6)
    rest = total - sum(c.credits for c in out)
    out += many("el", int(rest // 2), 2, "elective", semester=1 + len(out) % 6)
    return out


DEG3 = {
    "major": 60,
    "minor": 24,
    "multidisciplinary": 10,
    "aec": 8,
    "sec": 10,
    "vac": 6,
    "internship": 2,
}


def test_bachelor_category_minimums() -> None:
    assert run(_degree(120, **DEG3), "bachelor").eligible
    short = dict(DEG3, minor=20)
    result = run(_degree(120, **short), "bachelor")
    assert _gaps(result) == [("R-DEG3", "minor credits", 4)]
    result = run(_degree(110, **dict(DEG3, major=50)), "bachelor")
    assert _gaps(result) == [("R-DEG3", "credits", 10), ("R-DEG3", "major credits", 10)]


HON = {
    "major": 80,
    "minor": 32,
    "multidisciplinary": 10,
    "aec": 8,
    "sec": 10,
    "vac": 6,
    "internship": 2,
}


def _honours(project: bool = True, advanced: int = 0) -> list[Credit]:
    out = _degree(148, **HON)
    if project:
        out.append(
            credit("rp", 12, "research_project", kind="research_project", semester=8)
        )
    for i in range(advanced):
        out.append(credit(f"adv{i}", 4, "major", kind="advanced_course", semester=8))
    return out


def test_honours_project_or_three_advanced_courses() -> None:
    assert run(_honours(project=True), "bachelor_honours").eligible
    assert run(_honours(project=False, advanced=3), "bachelor_honours").eligible
    result = run(_honours(project=False, advanced=2), "bachelor_honours")
    assert not result.eligible
    # the cheaper branch of the any_of is reported: one advanced course and 4 credits
    assert ("R-HON", "advanced courses", 1) in _gaps(result)


def test_honours_research_marks_gate_and_cgpa_switch() -> None:
    records = _honours(project=True)
    award = "bachelor_honours_research"
    assert run(records, award, who=learner(marks_percent_sem1_6=75.0)).eligible
    result = run(records, award, who=learner(marks_percent_sem1_6=74.0))
    assert _gaps(result) == [("R-HONR", "marks percent", 1)]
    # marks come first: a good CGPA does not rescue low marks
    assert not run(
        records, award, who=learner(marks_percent_sem1_6=70.0, cgpa=9.0)
    ).eligible
    # CGPA only when marks are absent, through the equivalence switch
    assert run(records, award, who=learner(cgpa=7.6)).eligible
    assert not run(records, award, who=learner(cgpa=7.4)).eligible
    off = {"R-HONR": {"cgpa_equivalence": False}}
    assert not run(records, award, overrides=off, who=learner(cgpa=9.0)).eligible
    assert not run(records, award, who=learner()).eligible


def test_honours_research_needs_the_project_not_advanced_courses() -> None:
    records = _honours(project=False, advanced=3)
    who = learner(marks_percent_sem1_6=80.0)
    assert run(records, "bachelor_honours", who=who).eligible
    result = run(records, "bachelor_honours_research", who=who)
    assert _gaps(result) == [("R-HONR", "research project credits", 12)]


def test_debit_is_final_across_awards() -> None:
    records = [
        credit(c.id, c.credits, c.category, kind=c.kind, redeemed_for="ug_certificate")
        for c in certificate_base(40, 4)
    ]
    result = run(records, "ug_diploma")
    assert set(reasons(result).values()) == {"already_redeemed"}
    back = run(
        records, "ug_diploma", overrides={"R-ABC-DEBIT": {"return_on_reentry": True}}
    )
    assert reasons(back) == {}
