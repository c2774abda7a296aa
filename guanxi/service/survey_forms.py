"""The public survey form: it parses the customer's answers; the service validates them
(ranges, which questions are asked) and its errors are put back on the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.service.case_models import in_language
from guanxi.service.survey_models import SurveyTemplate


def _scale(low: int, high: int) -> forms.Field:
    return forms.TypedChoiceField(
        coerce=int, required=False, widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        choices=[(n, str(n)) for n in range(low, high + 1)],
    )  # fmt: skip


class SurveyForm(forms.Form):
    """The questions a template asks, labelled in the active language."""

    def __init__(self, *args, template: SurveyTemplate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        if template.csat_question:
            self.fields["csat"] = _scale(1, 5)
            self.fields["csat"].label = in_language(
                template.csat_question_en or template.csat_question, template.csat_question
            )
        if template.nps_question:
            self.fields["nps"] = _scale(0, 10)
            self.fields["nps"].label = in_language(
                template.nps_question_en or template.nps_question, template.nps_question
            )
        self.elements = []
        for element in template.elements:
            code = element["code"]
            name = in_language(element["name_en"] or element["name"], element["name"])
            for part in ("importance", "performance"):
                self.fields[f"el_{code}_{part}"] = _scale(1, 5)
            self.fields[f"el_{code}_importance"].label = _("How much it matters to you")
            self.fields[f"el_{code}_performance"].label = _("How well we did")
            self.elements.append(
                {"name": name, "importance": self[f"el_{code}_importance"],
                 "performance": self[f"el_{code}_performance"]}
            )  # fmt: skip
        if template.comment_question:
            self.fields["comment"] = forms.CharField(
                required=False, max_length=2000,
                label=in_language(
                    template.comment_question_en or template.comment_question,
                    template.comment_question,
                ),
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
            )  # fmt: skip

    def scores(self):
        """The fields of the scales outside the service elements."""
        return [self[name] for name in ("csat", "nps") if name in self.fields]

    def answers(self) -> dict:
        """The answers as the service takes them."""
        data = self.cleaned_data
        elements = {
            e["code"]: {
                "importance": data.get(f"el_{e['code']}_importance"),
                "performance": data.get(f"el_{e['code']}_performance"),
            }
            for e in self.template.elements
        }
        return {
            "csat": data.get("csat"),
            "nps": data.get("nps"),
            "comment": data.get("comment", ""),
            "elements": elements,
        }

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Put the service's errors on the fields they name."""
        for name, messages in exc.message_dict.items():
            field = name
            if name.startswith("elements."):
                parts = name.split(".")
                field = f"el_{parts[1]}_{parts[2]}" if len(parts) == 3 else ""
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
