"""Labels stored for good: the store, its Kafka sink, imports and the annotation page.

`store.LabelStore` is the one place every label lands (feedback, annotations, imports);
`snapshot()` is what training reads. See docs/labels.md.
"""
