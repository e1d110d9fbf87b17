"""Display width and fitting for aligned terminal output with CJK text."""

from hypothesis import given
from hypothesis import strategies as st

from digestbot.textwidth import display_width, fit


def test_cjk_characters_take_two_columns() -> None:
    assert display_width("abc") == 3
    assert display_width("阿里巴巴") == 8
    assert display_width("AI 投资者") == 9


def test_fit_cuts_with_ellipsis_and_pads() -> None:
    assert fit("阿里巴巴集团", 7) == "阿里巴…"
    assert fit("阿里巴巴集团", 8) == "阿里巴… "
    assert fit("short", 8) == "short   "
    assert fit("short", 8, pad=False) == "short"


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_fit_never_exceeds_the_width(text: str, width: int) -> None:
    fitted = fit(text, width)
    assert display_width(fitted) <= width
    if display_width(" ".join(text.split())) <= width:
        assert fitted.rstrip() == " ".join(text.split()).rstrip()


@given(st.text(alphabet=st.characters(categories=["Lo", "Ll", "Lu", "Nd"]), max_size=40))
def test_padded_fit_is_exactly_the_width(text: str) -> None:
    assert display_width(fit(text, 20)) == 20
