from __future__ import annotations

from collections.abc import Callable

import requests

from stream.labels.records import QueueItem
from tests.stream.labels.conftest import Server, queue_items


def test_sign_in_needs_the_right_token_and_requests_need_the_session(
    annotate_server: Callable[..., Server],
) -> None:
    server = annotate_server()
    assert server.post("/api/login", {"name": "ann", "token": "wrong"}).status_code == 401
    assert (
        server.post("/api/login", {"name": "eve", "token": "ann-secret-token"}).status_code == 401
    )
    assert server.post("/api/next").status_code == 401
    assert server.post("/api/next", session="forged").status_code == 401
    session = server.login("ann")
    assert server.post("/api/next", session=session).status_code == 200
    # CSRF: a cross-site form can only send form bodies and no custom header
    form = server.post("/api/next", session=session, headers={"Content-Type": "text/plain"})
    assert form.status_code == 415
    cross = server.post("/api/next", session=session, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    page = server.post("/api/logout", session=session)
    assert page.status_code == 200
    assert server.post("/api/next", session=session).status_code == 401


def test_page_is_served_with_a_strict_content_security_policy(
    annotate_server: Callable[..., Server],
) -> None:
    server = annotate_server()
    page = requests.get(server.url + "/", timeout=10)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script src="/app.js"' in page.text and "<script>" not in page.text
    assert "textContent" in requests.get(server.url + "/app.js", timeout=10).text


def test_two_annotators_per_tweet_and_a_third_breaks_disagreements(
    annotate_server: Callable[..., Server],
) -> None:
    server = annotate_server(labels_kappa_window=2, labels_kappa_min=0.8, labels_random_share=0.0)
    server.store.queue(queue_items({"far": 0.59, "mid": 0.5, "near": 0.47}))
    ann, bob, cat = (server.login(n) for n in ("ann", "bob", "cat"))

    def next_id(session: str) -> str | None:
        task = server.post("/api/next", session=session).json()["task"]
        return task and task["tweet_id"]

    def answer(session: str, tweet_id: str, label: str) -> dict:
        response = server.post("/api/answer", {"tweet_id": tweet_id, "answer": label}, session)
        assert response.status_code == 200, response.text
        return response.json()

    assert next_id(ann) == "mid"  # most uncertain first
    answer(ann, "mid", "negative")
    answer(ann, "near", "positive")
    answer(ann, "far", "skip")
    assert next_id(ann) is None  # nothing twice, skipped ones included
    assert next_id(bob) == "mid"  # pairs are completed first
    answer(bob, "mid", "negative")
    data = answer(bob, "near", "negative")
    assert data["agreement"]["tweets"] == 2
    assert data["agreement"]["states"] == {"disputed": 1, "low_kappa": 1}
    assert next_id(cat) == "near"  # the disagreement goes to a third annotator
    data = answer(cat, "near", "positive")
    assert next_id(cat) == "far"  # ann skipped it: still new for cat
    assert data["agreement"]["states"] == {"low_kappa": 2}  # batch kappa 0 < 0.8
    pairs = {(p["a"], p["b"]): p["kappa"] for p in data["agreement"]["pairs"]}
    assert pairs[("ann", "cat")] == 1.0
    assert (
        server.post("/api/answer", {"tweet_id": "nope", "answer": "positive"}, ann).status_code
        == 404
    )
    assert (
        server.post("/api/answer", {"tweet_id": "mid", "answer": "angry"}, ann).status_code == 400
    )
    flagged = server.store.snapshot(trusted_only=False, sources=["annotator"]).set_index("tweet_id")
    assert flagged.loc["near", "label"] == "positive" and not flagged["trusted"].any()


def test_random_share_serves_ordinary_tweets_and_metrics_export_kappa(
    annotate_server: Callable[..., Server],
) -> None:
    server = annotate_server(labels_kappa_window=10, labels_random_share=1.0)
    server.store.queue(queue_items({"unsure": 0.5}))
    ordinary = QueueItem(tweet_id="ordinary", text="fine flight", model_score=0.9, kind="random")
    server.store.queue([ordinary])
    ann, bob = server.login("ann"), server.login("bob")
    first = server.post("/api/next", session=ann).json()["task"]
    assert (first["tweet_id"], first["kind"]) == ("ordinary", "random")
    for session in (ann, bob):
        server.post("/api/answer", {"tweet_id": "ordinary", "answer": "positive"}, session)
    metrics = requests.get(server.url + "/metrics", timeout=10).text
    assert "annotation_kappa_overall 1.0" in metrics
    assert 'annotation_kappa{pair="ann|bob"} 1.0' in metrics
    assert "annotation_double_labelled_tweets 1.0" in metrics
    assert 'annotation_answers_total{answer="positive"}' in metrics
