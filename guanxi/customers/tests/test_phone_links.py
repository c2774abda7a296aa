"""Tap-to-call: a phone number the viewer sees whole is a ``tel:`` link, a masked one never."""

from django.template import Context, Template

from guanxi.customers.templatetags.phone_links import tel_uri

TAG = Template("{% load phone_links %}{% phone number masked %}")


def render(number, masked) -> str:
    return TAG.render(Context({"number": number, "masked": masked}))


def test_a_whole_chinese_number_dials_with_its_country_code():
    html = render("13812345678", ())
    assert html == '<a href="tel:+8613812345678" data-tel>13812345678</a>'


def test_a_masked_number_is_shown_without_a_link():
    html = render("138****5678", ("email", "phone"))
    assert html == '<span class="masked">138****5678</span>'
    assert "tel:" not in html


def test_another_fields_mask_does_not_stop_the_link():
    assert 'href="tel:+8613812345678"' in render("13812345678", ("email",))


def test_an_empty_or_hidden_number_renders_nothing():
    assert render("", ()) == ""
    assert render(None, ()) == ""


def test_a_foreign_number_keeps_its_own_country_code():
    assert tel_uri("+14155550123") == "tel:+14155550123"
    # Stored numbers are E.164; a Chinese landline is shown without +86 (and without 0).
    assert tel_uri("1065521234") == "tel:+861065521234"
