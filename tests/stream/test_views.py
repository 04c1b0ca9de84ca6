import pytest

from stream.views import BadRequest, texts_from_body


def test_single_and_batch_bodies() -> None:
    assert texts_from_body({"text": "hi"}, 100) == (["hi"], False)
    assert texts_from_body({"texts": ["a", "b"]}, 100) == (["a", "b"], True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "exactly one"),
        ({}, "exactly one"),
        ({"text": "a", "texts": ["b"]}, "exactly one"),
        ({"text": ""}, '"text" must be a non-empty string'),
        ({"text": 3}, '"text" must be a non-empty string'),
        ({"texts": []}, "list of 1 to"),
        ({"texts": ["ok", None]}, '"texts[1]"'),
        ({"text": "x" * 11}, "11 characters, limit 10"),
    ],
)
def test_invalid_bodies_say_why(body: object, message: str) -> None:
    with pytest.raises(BadRequest, match=message.replace("[", r"\[").replace("]", r"\]")):
        texts_from_body(body, 10)
