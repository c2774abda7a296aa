"""The default acquisition pipeline, as our sources describe an account manager's process.

Information gathering → first visit → needs analysis and solution design → relationship and
trust → breakthrough and proposal → won / lost. Names are stored per language (the pipeline
is data an administrator may rename), so they are written out here in both.
"""

DEFAULT_PIPELINE = {
    "code": "acquisition",
    "name_en": "Customer acquisition",
    "name_zh": "客户开发",
    "business_line": "",
}

# (code, English, Chinese, default probability %, is_won, is_lost)
DEFAULT_STAGES = (
    ("information", "Information gathering", "信息收集", 10, False, False),
    ("first_visit", "First visit", "初次拜访", 20, False, False),
    (
        "needs_analysis",
        "Needs analysis and solution design",
        "需求分析与方案设计",
        40,
        False,
        False,
    ),
    ("relationship", "Relationship and trust", "建立关系与信任", 60, False, False),
    ("proposal", "Breakthrough and proposal", "突破与方案呈报", 80, False, False),
    ("won", "Won", "赢单", 100, True, False),
    ("lost", "Lost", "丢单", 0, False, True),
)


def ensure_default_pipeline(pipeline_model, stage_model):
    """Create the default pipeline and its stages unless it exists; returns the pipeline.

    Takes the models as arguments so the data migration can pass its historical ones.
    """
    pipeline, created = pipeline_model.objects.get_or_create(
        code=DEFAULT_PIPELINE["code"], defaults={**DEFAULT_PIPELINE, "is_default": True}
    )
    if created:
        stage_model.objects.bulk_create(
            stage_model(
                pipeline=pipeline,
                code=code,
                order=order,
                name_en=en,
                name_zh=zh,
                probability=probability,
                is_won=won,
                is_lost=lost,
            )  # fmt: skip
            for order, (code, en, zh, probability, won, lost) in enumerate(DEFAULT_STAGES, 1)
        )
    return pipeline
